//! The presigned upload when it goes wrong: a refusal, a 5xx, no connection, a URL it must not
//! go to, a registration it cannot read; never the signature in what is shown.

use super::*;

#[tokio::test]
async fn a_refused_upload_names_the_s3_code_and_never_the_signature() {
    let mut api = Api::new().await;
    let refused = api
        .server
        .mock("PUT", IMPORT_PATH)
        .match_query(Matcher::Any)
        .with_status(403)
        .with_header("content-type", "application/xml")
        .with_body(s3_refusal(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        ))
        .expect(1)
        .create_async()
        .await;
    let (client, console, _) = client(&api);

    let error = client
        .upload_flow_file(&registered(&api), YAML, None)
        .await
        .expect_err("refused");

    refused.assert_async().await;
    let ApiError::Storage(refusal) = &error else {
        panic!("not a storage refusal: {error:?}");
    };
    assert_eq!(refusal.status, 403);
    assert_eq!(refusal.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(refusal.request_id.as_deref(), Some("req-9"));
    assert_eq!(refusal.attempts, 1, "a refusal is final");
    let text = with_causes(&error);
    assert_eq!(
        text,
        format!(
            "PUT {}{IMPORT_PATH} answered HTTP 403 (SignatureDoesNotMatch): The request signature we calculated does not match the signature you provided. Check your key and signing method. [request id req-9]",
            api.url()
        )
    );
    let hint = error.hint().expect("a hint");
    assert!(hint.contains("exactly the headers"), "{hint}");
    assert_hidden("the error", &format!("{text} {error:?} {hint}"));
    let log = console.contents();
    assert!(
        log.contains(&format!("PUT {}{IMPORT_PATH} -> 403", api.url())),
        "{log}"
    );
    assert_hidden("the debug lines", &log);
    assert_eq!(client.stats().requests, 1, "no token was fetched for it");
}

#[tokio::test]
async fn an_upload_is_retried_after_5xx_and_a_second_503_is_counted() {
    let mut api = Api::new().await;
    let unavailable = api
        .server
        .mock("PUT", IMPORT_PATH)
        .match_query(Matcher::Any)
        .with_status(503)
        .with_body(s3_refusal("SlowDown", "Please reduce your request rate."))
        .expect(2)
        .create_async()
        .await;
    let accepted = api
        .server
        .mock("PUT", IMPORT_PATH)
        .match_query(signed_query())
        .match_body(YAML)
        .with_status(200)
        .expect(1)
        .create_async()
        .await;
    let (client, console, _) = client(&api);

    client
        .upload_flow_file(&registered(&api), YAML, None)
        .await
        .expect("uploaded on the third try");

    unavailable.assert_async().await;
    accepted.assert_async().await;
    let stats = client.stats();
    assert_eq!((stats.requests, stats.retries), (3, 2));
    assert_hidden("the debug lines", &console.contents());
}

#[tokio::test]
async fn an_upload_that_cannot_connect_is_retried_then_reported_without_the_url_query() {
    let api = Api::new().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("an address").port()
    };
    let mut job = registered(&api);
    job.presigned_url = serde_json::from_value(json!(format!(
        "http://127.0.0.1:{closed}{IMPORT_PATH}?X-Amz-Signature={SIG}"
    )))
    .expect("a URL");
    let (client, console, _) = client_with(&config(&api, &[("INPUT_MAX-RETRIES", "2")]));

    let error = client
        .upload_flow_file(&job, YAML, None)
        .await
        .expect_err("nothing listens");

    let text = with_causes(&error);
    assert!(
        text.starts_with(&format!(
            "PUT http://127.0.0.1:{closed}{IMPORT_PATH} could not connect after 3 attempt(s)"
        )),
        "{text}"
    );
    assert_hidden("the error and its causes", &format!("{text} {error:?}"));
    let hint = error.hint().expect("a hint");
    assert!(hint.starts_with("The storage host"), "{hint}");
    assert_hidden("the debug lines", &console.contents());
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn nothing_is_sent_to_a_presigned_url_that_is_not_https_or_loopback() {
    let api = Api::new().await;
    let mut job = registered(&api);
    job.presigned_url = serde_json::from_value(json!(format!(
        "http://bucket.s3.amazonaws.com/k.yaml?X-Amz-Signature={SIG}"
    )))
    .expect("a URL");
    let (client, _, _) = client(&api);

    let error = client
        .upload_flow_file(&job, YAML, None)
        .await
        .expect_err("plain http to another host");

    assert!(matches!(error, ApiError::Transfer { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "PUT http://bucket.s3.amazonaws.com/k.yaml: refusing to send: the presigned URL is not https:// (http:// only to a loopback host)"
    );
    assert_eq!(client.stats().requests, 0);
}

#[tokio::test]
async fn a_registration_that_cannot_be_read_is_not_quoted() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let truncated = format!(
        "{{\"id\":\"job-1\",\"presignedUrl\":\"{}",
        presigned(&api, IMPORT_PATH)
    );
    api.server
        .mock("POST", "/api/v2/flows/jobs")
        .with_status(200)
        .with_body(truncated)
        .expect(1)
        .create_async()
        .await;
    let (client, console, _) = client_with(&config(&api, &[("INPUT_MAX-RETRIES", "0")]));

    let error = client
        .register_import_job(None)
        .await
        .expect_err("unreadable");

    assert!(matches!(error, ApiError::Decode { .. }), "{error:?}");
    assert_hidden("the error", &with_causes(&error));
    assert_hidden("the debug lines", &console.contents());
}
