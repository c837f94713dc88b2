//! Routes as data: each a method, a path and a handler, so that the router
//! and the OpenAPI document can be held against one table.

use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Responder, web};

use super::cors::{self, AllowedOrigins};

/// One route the API serves: its method, its full path as the OpenAPI
/// document writes it, and the handler.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    route: actix_web::Route,
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
    }
}

/// The routes of one path.
struct Resource {
    path: &'static str,
    methods: Vec<Method>,
    routes: Vec<actix_web::Route>,
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
    } in endpoints
    {
        match resources.iter_mut().find(|known| known.path == path) {
            Some(known) => {
                known.methods.push(method);
                known.routes.push(route);
            }
            None => resources.push(Resource {
                path,
                methods: vec![method],
                routes: vec![route],
            }),
        }
    }
    for resource in resources {
        let cors = cors::for_route(origins, &resource.methods);
        cfg.service(
            resource
                .routes
                .into_iter()
                .fold(web::resource(resource.path), actix_web::Resource::route)
                .wrap(cors),
        );
    }
}
