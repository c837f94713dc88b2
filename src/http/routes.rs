//! Routes as data: each a method, a path and a handler, so that the router
//! and the OpenAPI document can be held against one table.

use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Responder, web};

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

/// Routes the endpoints. Routes sharing a path share a resource, so that a
/// known path with a method it lacks answers 405 rather than 404.
pub fn route(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>) {
    let mut resources: Vec<(&'static str, Vec<actix_web::Route>)> = Vec::new();
    for Endpoint { path, route, .. } in endpoints {
        match resources.iter_mut().find(|(known, _)| *known == path) {
            Some((_, routes)) => routes.push(route),
            None => resources.push((path, vec![route])),
        }
    }
    for (path, routes) in resources {
        cfg.service(
            routes
                .into_iter()
                .fold(web::resource(path), actix_web::Resource::route),
        );
    }
}
