//! Routes as data: each a method, a path and a handler, so that the router
//! and the OpenAPI document can be held against one table.

use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Responder, middleware, web};

use super::cors::{self, AllowedOrigins};
use super::revalidate;

/// One route the API serves: its method, its full path as the OpenAPI
/// document writes it, and the handler.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    route: actix_web::Route,
    /// A `GET` the public makes, whose answers caches keep and revalidate.
    public_read: bool,
}

pub fn endpoint<F, Args>(method: Method, path: &'static str, handler: F) -> Endpoint
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    Endpoint {
        route: web::method(method.clone()).to(handler),
        method,
        path,
        public_read: false,
    }
}

/// A `GET` the public makes: its revalidations are answered from the ETag
/// last sent when nothing has changed since (`revalidate.rs`).
pub fn public_read<F, Args>(path: &'static str, handler: F) -> Endpoint
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    Endpoint {
        public_read: true,
        ..endpoint(Method::GET, path, handler)
    }
}

/// The routes of one path.
struct Resource {
    path: &'static str,
    methods: Vec<Method>,
    routes: Vec<actix_web::Route>,
    public_read: bool,
}

/// Routes the endpoints. Routes sharing a path share a resource, so that a
/// known path with a method it lacks answers 405 rather than 404, and a
/// preflight is answered with the path's methods.
pub fn route(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>, origins: &AllowedOrigins) {
    let mut resources: Vec<Resource> = Vec::new();
    for Endpoint {
        path,
        route,
        method,
        public_read,
    } in endpoints
    {
        match resources.iter_mut().find(|known| known.path == path) {
            Some(known) => {
                known.methods.push(method);
                known.routes.push(route);
                known.public_read |= public_read;
            }
            None => resources.push(Resource {
                path,
                methods: vec![method],
                routes: vec![route],
                public_read,
            }),
        }
    }
    // Each collection's paths in one scope: the router then compares a
    // path's static prefix once, and matches only that collection's
    // patterns, rather than every pattern of the API in turn.
    let mut groups: Vec<(Option<&'static str>, Vec<Resource>)> = Vec::new();
    for resource in resources {
        let prefix = collection(resource.path);
        match groups
            .iter_mut()
            .find(|(known, _)| prefix.is_some() && *known == prefix)
        {
            Some((_, group)) => group.push(resource),
            None => groups.push((prefix, vec![resource])),
        }
    }
    for (prefix, group) in groups {
        let Some(prefix) = prefix else {
            group
                .into_iter()
                .for_each(|resource| resource.serve(cfg, "", origins));
            continue;
        };
        cfg.service(web::scope(prefix).configure(|scope| {
            group
                .into_iter()
                .for_each(|resource| resource.serve(scope, prefix, origins));
        }));
    }
}

impl Resource {
    /// Serves the resource in `cfg`, at its path after `scope`'s prefix.
    fn serve(self, cfg: &mut web::ServiceConfig, scope: &str, origins: &AllowedOrigins) {
        let cors = cors::for_route(origins, &self.methods);
        let within = self
            .path
            .strip_prefix(scope)
            .expect("a scope's prefix of its path");
        let resource = self
            .routes
            .into_iter()
            .fold(web::resource(within), actix_web::Resource::route);
        let revalidations = middleware::from_fn(revalidate::answer_known_revalidations);
        let resource = resource.wrap(middleware::Condition::new(self.public_read, revalidations));
        cfg.service(resource.wrap(cors));
    }
}

/// The collection a path of the API belongs to (`/api/v1/tags` of
/// `/api/v1/tags/{slug}/posts`), when it names one.
fn collection(path: &'static str) -> Option<&'static str> {
    let rest = path.strip_prefix(API_PREFIX)?;
    let name = rest.split('/').next().filter(|name| !name.is_empty())?;
    Some(&path[..API_PREFIX.len() + name.len()])
}

const API_PREFIX: &str = "/api/v1/";
