//! Export jobs: the request by id and version, the download, the exit-107 classifier, and
//! 429 with `Retry-After` on a job route.

use super::*;

#[tokio::test]
async fn an_export_asks_by_id_and_version_as_yaml_and_downloads_the_text_without_a_token() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let register = api
        .server
        .mock("POST", "/api/v2/flows/export/jobs")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({
            "flows": [{ "flow": { "id": BOT, "version": "3.0" }, "exportType": "Yaml" }]
        })))
        .with_body(json!({ "id": "job-2", "status": "Registered", "totalFlows": 1 }).to_string())
        .expect(1)
        .create_async()
        .await;
    api.server
        .mock("GET", "/api/v2/flows/export/jobs/job-2")
        .match_query(Matcher::UrlEncoded("expand".into(), "messages".into()))
        .with_body(
            json!({ "id": "job-2", "status": "Started", "command": "Export", "messages": [] })
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    api.server
        .mock("GET", "/api/v2/flows/export/jobs/job-2")
        .match_query(Matcher::UrlEncoded("expand".into(), "messages".into()))
        .with_body(
            json!({
                "id": "job-2", "status": "Success", "command": "Export", "messages": [],
                "downloadUrl": presigned(&api, EXPORT_PATH),
            })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let download = api
        .server
        .mock("GET", EXPORT_PATH)
        .match_query(signed_query())
        .match_header("authorization", Matcher::Missing)
        .with_header("content-type", "text/yaml; charset=utf-8")
        .with_body(YAML)
        .expect(1)
        .create_async()
        .await;
    let (client, console, redactor) = client(&api);

    let job = client
        .start_export_job(BOT, "3.0", None)
        .await
        .expect("registered");
    let running = client.export_job(&job.body.id, None).await.expect("read");
    let done = client.export_job(&job.body.id, None).await.expect("read");
    let url = done.body.download_url.clone().expect("a download URL");
    let text = client
        .download_export(&url, None)
        .await
        .expect("downloaded");

    register.assert_async().await;
    download.assert_async().await;
    assert_eq!(job.body.status, Some(JobStatus::Registered));
    assert_eq!(job.body.total_flows, Some(1));
    assert_eq!(running.body.status, JobStatus::Started);
    assert!(running.body.download_url.is_none());
    assert_eq!(done.body.status, JobStatus::Success);
    assert_eq!(text, YAML);
    assert_eq!(url.redacted(), format!("{}{EXPORT_PATH}", api.url()));
    assert!(
        redactor.knows(SIG),
        "the signature is handed to the redactor"
    );
    assert_hidden("the job's Debug", &format!("{:?}", done.body));
    assert_hidden("the debug lines", &console.contents());
}

#[tokio::test]
async fn an_exit_107_export_failure_is_transient_a_missing_version_is_not() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let failed = |id: &str, texts: &[&str]| {
        let messages: Vec<_> = texts
            .iter()
            .map(|t| json!({ "dateTime": "2026-01-01T00:00:00.000Z", "type": "Error", "text": t }))
            .collect();
        json!({ "id": id, "status": "Failure", "command": "Export", "messages": messages })
            .to_string()
    };
    let exception = |what: &str| {
        format!(
            "ArchSession.startWithAuthToken - Caught unhandled exception during callback function execution.  Ending session.  Exception info: {what}. (correlationId: 0000)"
        )
    };
    let rate_limited = failed(
        "job-a",
        &[
            "setting the Archy exit code to 107",
            "Error during program export execution:",
            &exception(&format!("could not find the flow with id '{BOT}'")),
        ],
    );
    let missing_version = failed(
        "job-b",
        &[
            "setting the Archy exit code to 107",
            "Error during program export execution:",
            &exception(&format!(
                "could not find version '9.0' of the flow with id '{BOT}'"
            )),
        ],
    );
    for (id, body) in [("job-a", rate_limited), ("job-b", missing_version)] {
        api.server
            .mock("GET", format!("/api/v2/flows/export/jobs/{id}").as_str())
            .match_query(Matcher::Any)
            .with_body(body)
            .create_async()
            .await;
    }
    let (client, _, _) = client(&api);

    let a = client.export_job("job-a", None).await.expect("read").body;
    let b = client.export_job("job-b", None).await.expect("read").body;

    assert!(a.failed_transiently(), "{a:?}");
    assert!(!b.failed_transiently(), "{b:?}");
}

#[tokio::test]
async fn a_rate_limited_export_job_waits_for_retry_after_then_succeeds() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let limited = api
        .server
        .mock("POST", "/api/v2/flows/export/jobs")
        .with_status(429)
        .with_header("Retry-After", "0.05")
        .with_body(envelope(
            429,
            "too.many.requests.retry.after",
            "Rate limit exceeded the maximum. Retry the request in [58] seconds",
        ))
        .expect(1)
        .create_async()
        .await;
    let accepted = api
        .server
        .mock("POST", "/api/v2/flows/export/jobs")
        .with_body(json!({ "id": "job-2", "status": "Registered", "totalFlows": 1 }).to_string())
        .expect(1)
        .create_async()
        .await;
    let (client, _, _) = client(&api);

    let started = Instant::now();
    let job = client
        .start_export_job(BOT, "3.0", None)
        .await
        .expect("registered after the wait");

    limited.assert_async().await;
    accepted.assert_async().await;
    assert_eq!(job.body.id, "job-2");
    assert!(started.elapsed() >= Duration::from_millis(50));
    let stats = client.stats();
    assert_eq!((stats.rate_limited, stats.retries), (1, 1));
    assert!(stats.retry_wait_ms >= 50, "{stats:?}");
}

#[tokio::test]
async fn a_retry_after_past_the_cap_or_the_deadline_is_not_waited_for() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.server
        .mock("GET", "/api/v2/flows/export/jobs/job-2")
        .match_query(Matcher::Any)
        .with_status(429)
        .with_header("Retry-After", "30")
        .with_body(envelope(429, "too.many.requests.retry.after", "Rate limit"))
        .expect(2)
        .create_async()
        .await;
    let mut capped = config(&api, &[]);
    capped.tuning.max_retry_after = Duration::from_millis(100);
    let (capped, _, _) = client_with(&capped);
    let (deadlined, _, _) = client(&api);

    let started = Instant::now();
    let over_cap = capped.export_job("job-2", None).await.expect_err("capped");
    let deadline = tokio::time::Instant::now() + Duration::from_millis(100);
    let past_deadline = deadlined
        .export_job("job-2", Some(deadline))
        .await
        .expect_err("past the deadline");

    assert!(started.elapsed() < Duration::from_secs(20), "no 30 s wait");
    for error in [over_cap, past_deadline] {
        assert_eq!(error.status(), Some(429));
        let ApiError::Status(status) = &error else {
            panic!("{error:?}");
        };
        assert_eq!(status.retry_after, Some(Duration::from_secs(30)));
        assert_eq!(status.attempts, 1);
    }
}

#[test]
fn the_default_cap_honours_the_58_s_retry_after_of_export_jobs() {
    // TF PR#2214: export registration answered 429 with Retry-After up to 58 s.
    assert!(Tuning::default().max_retry_after >= Duration::from_secs(60));
}

#[tokio::test]
async fn a_download_is_capped_and_must_be_text() {
    let mut api = Api::new().await;
    api.server
        .mock("GET", "/bucket/big.yaml")
        .match_query(Matcher::Any)
        .with_body(vec![b'a'; MAX_DOWNLOAD_BYTES + 1])
        .expect(1)
        .create_async()
        .await;
    api.server
        .mock("GET", "/bucket/binary.zip")
        .match_query(Matcher::Any)
        .with_body(vec![b'P', b'K', 3, 4, 0xff, 0xfe])
        .expect(1)
        .create_async()
        .await;
    let url =
        |path: &str| serde_json::from_value(json!(presigned(&api, path))).expect("a presigned URL");
    let (client, _, _) = client(&api);

    let big = client
        .download_export(&url("/bucket/big.yaml"), None)
        .await
        .expect_err("too large");
    let binary = client
        .download_export(&url("/bucket/binary.zip"), None)
        .await
        .expect_err("not text");

    assert_eq!(
        big.to_string(),
        format!(
            "GET {}/bucket/big.yaml: the answer is larger than {MAX_DOWNLOAD_BYTES} bytes",
            api.url()
        )
    );
    assert!(binary.to_string().contains("not UTF-8 text"), "{binary}");
    assert_hidden("the errors", &format!("{big} {binary}"));
}
