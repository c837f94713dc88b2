//! The OpenAPI document against the router, and the offline docs page.

use blog_backend::http::endpoints;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::{TestApp, send};

crate::on_both_backends!(
    every_route_is_in_the_document,
    every_documented_operation_is_served,
    errors_are_documented_as_problems,
    the_docs_page_works_offline,
);

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/api/v1/openapi.json").await.expect(200);
    assert_eq!(reply.body["openapi"], "3.1.0");
    reply.body
}

/// `(METHOD, path)` of every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                found.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

async fn every_route_is_in_the_document(app: TestApp) {
    let doc = document(&app).await;
    let documented: Vec<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let routes = endpoints();
    assert!(routes.len() >= 20, "the route table is the whole API");
    let missing: Vec<String> = routes
        .iter()
        .map(|route| (route.method.to_string(), route.path.to_owned()))
        .filter(|route| !documented.contains(route))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    assert_eq!(
        documented.len(),
        routes.len(),
        "no operation is documented twice"
    );
}

async fn every_documented_operation_is_served(app: TestApp) {
    let doc = document(&app).await;
    for (method, path, _) in operations(&doc) {
        let concrete = path
            .replace("{id}", "999999")
            .replace("{slug}", "no-such-slug")
            .replace("{tag_slug}", "no-such-tag");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        if path.starts_with("/feeds/") {
            // Atom, not JSON: an unknown slug is a 404 problem, every feed of posts a 200.
            let reply = app.request(method.clone(), &concrete).send().await.unwrap();
            let status = reply.status().as_u16();
            let body = reply.text().await.unwrap();
            assert!(status == 200 || status == 404, "{method} {path}: {status}");
            assert!(!body.contains("no such route"), "{method} {path} is routed");
            continue;
        }
        let reply = send(
            app.admin(method.clone(), &concrete)
                .json(&serde_json::json!({})),
        )
        .await;
        assert_ne!(reply.status, 405, "{method} {path} is routed");
        assert_ne!(
            reply.body["detail"], "no such route",
            "{method} {path} is routed"
        );
    }
}

async fn errors_are_documented_as_problems(app: TestApp) {
    let doc = document(&app).await;
    let shared = &doc["components"]["responses"];
    for (method, path, operation) in operations(&doc) {
        let responses = operation["responses"].as_object().expect("responses");
        let admin_only = operation["security"] == serde_json::json!([{"bearer": []}]);
        if path.starts_with("/api/v1/") && !path.ends_with("openapi.json") {
            assert!(
                responses.contains_key("401") && responses.contains_key("503"),
                "{method} {path}: every API operation can meet a bad token or a database outage"
            );
            assert!(
                admin_only || operation["security"][0] == serde_json::json!({}),
                "{method} {path}: public operations take the token as optional"
            );
        }
        for (status, response) in responses {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let response = match response["$ref"].as_str() {
                Some(reference) => &shared[reference.trim_start_matches("#/components/responses/")],
                None => response,
            };
            assert!(
                response["content"]["application/problem+json"]["schema"].is_object(),
                "{method} {path} {status} is problem+json: {response}"
            );
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

async fn the_docs_page_works_offline(app: TestApp) {
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");

    let page = fetch(&app, "/docs/").await;
    assert!(page.contains("swagger-ui"), "{page}");
    // Every script and stylesheet is one of ours, not a CDN's.
    for reference in page
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css") || part.ends_with(".png"))
    {
        assert!(
            !reference.contains("//"),
            "{reference} is fetched from elsewhere"
        );
        fetch(
            &app,
            &format!("/docs/{}", reference.trim_start_matches("./")),
        )
        .await;
    }
    let initializer = fetch(&app, "/docs/swagger-initializer.js").await;
    assert!(
        initializer.contains("/api/v1/openapi.json"),
        "{initializer}"
    );
}

/// A docs asset's text, failing unless it is served.
async fn fetch(app: &TestApp, path: &str) -> String {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let bytes = response.bytes().await.unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}
