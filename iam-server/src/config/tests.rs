use std::io::Write;

use clap::Parser;

use super::*;

fn parse(arguments: &[&str]) -> Options {
    Options::try_parse_from(std::iter::once("iam-server").chain(arguments.iter().copied())).unwrap()
}

#[test]
fn defaults_listen_on_loopback_port() {
    let settings = Settings::resolve(Options::default()).unwrap();

    assert_eq!(settings.listen.to_string(), "127.0.0.1:9500");
    assert_eq!(settings.data_dir, PathBuf::from("iam-data"));
    assert_eq!(settings.log_format, LogFormat::Text);
    assert_eq!(settings.log_level, "info");
    assert_eq!(settings.enforcement, Enforcement::Enforce);
    assert_eq!(settings.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert!(settings.tls.is_none());
    assert!(settings.allowed_regions.is_empty());
    assert!(settings.account_id.is_none());
    assert!(settings.audit);
}

#[test]
fn flags_parse_every_option() {
    let options = parse(&[
        "--listen",
        "127.0.0.1:7000",
        "--data-dir",
        "/tmp/x",
        "--log-format",
        "json",
        "--log-level",
        "debug",
        "--tls-cert",
        "cert.pem",
        "--tls-key",
        "key.pem",
        "--allowed-regions",
        "us-east-1, eu-west-1",
        "--account-id",
        "111122223333",
        "--enforcement",
        "log-only",
        "--max-body-bytes",
        "1024",
        "--audit",
        "false",
    ]);

    let settings = Settings::resolve(options).unwrap();

    assert_eq!(settings.listen.to_string(), "127.0.0.1:7000");
    assert_eq!(settings.data_dir, PathBuf::from("/tmp/x"));
    assert_eq!(settings.log_format, LogFormat::Json);
    assert_eq!(settings.log_level, "debug");
    assert_eq!(
        settings.tls,
        Some(TlsFiles {
            cert: PathBuf::from("cert.pem"),
            key: PathBuf::from("key.pem"),
        })
    );
    assert_eq!(settings.allowed_regions, ["us-east-1", "eu-west-1"]);
    assert_eq!(settings.account_id.unwrap().as_str(), "111122223333");
    assert_eq!(settings.enforcement, Enforcement::LogOnly);
    assert_eq!(settings.max_body_bytes, 1024);
    assert!(!settings.audit);
}

#[test]
fn flag_overrides_config_file() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        "listen = \"127.0.0.1:7001\"\nlog-level = \"warn\"\naccount-id = \"123456789012\""
    )
    .unwrap();
    let path = file.path().to_str().unwrap().to_owned();

    let settings = Settings::load(parse(&["--config", &path, "--log-level", "trace"])).unwrap();

    assert_eq!(settings.listen.to_string(), "127.0.0.1:7001");
    assert_eq!(settings.log_level, "trace");
    assert_eq!(settings.account_id.unwrap().as_str(), "123456789012");
}

#[test]
fn config_file_rejects_unknown_key() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "listen-address = \"127.0.0.1:7001\"").unwrap();
    let path = file.path().to_str().unwrap().to_owned();

    let error = Settings::load(parse(&["--config", &path])).unwrap_err();

    assert!(error.to_string().contains("invalid config file"), "{error}");
}

#[test]
fn missing_config_file_is_an_error() {
    let error = Settings::load(parse(&["--config", "/nonexistent/iam.toml"])).unwrap_err();

    assert!(
        error.to_string().contains("failed to read config file"),
        "{error}"
    );
}

#[test]
fn invalid_account_id_is_rejected() {
    let options = Options {
        account_id: Some("12345".to_owned()),
        ..Options::default()
    };

    let error = Settings::resolve(options).unwrap_err();

    assert!(error.to_string().contains("`12345`"), "{error}");
}

#[test]
fn half_tls_setup_is_rejected() {
    let options = Options {
        tls_cert: Some(PathBuf::from("cert.pem")),
        ..Options::default()
    };

    let error = Settings::resolve(options).unwrap_err();

    assert!(error.to_string().contains("together"), "{error}");
}

#[test]
fn zero_body_limit_is_rejected() {
    let options = Options {
        max_body_bytes: Some(0),
        ..Options::default()
    };

    assert!(Settings::resolve(options).is_err());
}

#[test]
fn zero_threads_are_rejected() {
    let options = Options {
        threads: Some(0),
        ..Options::default()
    };

    let error = Settings::resolve(options).unwrap_err();

    assert!(error.to_string().contains("`threads` `0`"), "{error}");
}

#[test]
fn zero_max_connections_are_rejected() {
    let options = Options {
        max_connections: Some(0),
        ..Options::default()
    };

    let error = Settings::resolve(options).unwrap_err();

    assert!(
        error.to_string().contains("`max-connections` `0`"),
        "{error}"
    );
}

#[test]
fn max_connections_default_and_flag() {
    let default = Settings::resolve(Options::default()).unwrap();
    let options = Options::try_parse_from(["iam-server", "--max-connections", "3"]).unwrap();
    let set = Settings::resolve(options).unwrap();

    assert_eq!(default.max_connections, DEFAULT_MAX_CONNECTIONS);
    assert_eq!(set.max_connections, 3);
}

#[test]
fn flags_reject_tls_cert_without_key() {
    let result = Options::try_parse_from(["iam-server", "--tls-cert", "cert.pem"]);

    assert!(result.is_err());
}

#[test]
fn aws_managed_policies_from_flag_and_config_file() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "aws-managed-policies = \"/srv/aws-policies\"").unwrap();
    let path = file.path().to_str().unwrap().to_owned();

    let from_file = Settings::load(parse(&["--config", &path])).unwrap();
    let from_flag = Settings::load(parse(&[
        "--config",
        &path,
        "--aws-managed-policies",
        "/opt/policies",
    ]))
    .unwrap();
    let unset = Settings::resolve(Options::default()).unwrap();

    assert_eq!(
        from_file.aws_managed_policies,
        Some(PathBuf::from("/srv/aws-policies"))
    );
    assert_eq!(
        from_flag.aws_managed_policies,
        Some(PathBuf::from("/opt/policies"))
    );
    assert_eq!(unset.aws_managed_policies, None);
}

#[test]
fn misspelled_log_level_is_rejected() {
    for log_level in ["loud", "inf", "iam_server=debug,warnx"] {
        let options = Options {
            log_level: Some(log_level.to_owned()),
            ..Options::default()
        };

        let error = Settings::resolve(options).unwrap_err();

        assert!(error.to_string().contains("invalid log level"), "{error}");
    }
}

#[test]
fn log_level_accepts_levels_and_directives() {
    for log_level in [
        "info",
        "DEBUG",
        "off",
        "iam_server=debug",
        "warn,iam_server::app=trace",
    ] {
        let options = Options {
            log_level: Some(log_level.to_owned()),
            ..Options::default()
        };

        let settings = Settings::resolve(options).unwrap();

        assert_eq!(settings.log_level, log_level);
    }
}
