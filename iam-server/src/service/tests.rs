use super::*;

#[test]
fn action_lists_are_sorted_and_unique() {
    for service in [Service::Iam, Service::Sts] {
        let actions = service.actions();
        assert!(
            actions.windows(2).all(|pair| pair[0] < pair[1]),
            "{service} actions are not sorted"
        );
    }
}

#[test]
fn action_lookup_is_case_sensitive() {
    assert_eq!(Service::Iam.action("CreateUser"), Some("CreateUser"));
    assert_eq!(Service::Iam.action("createuser"), None);
    assert_eq!(Service::Iam.action("AssumeRole"), None);
    assert_eq!(Service::Sts.action("AssumeRole"), Some("AssumeRole"));
}

#[test]
fn service_from_name_and_version() {
    assert_eq!(Service::from_name("iam"), Some(Service::Iam));
    assert_eq!(Service::from_name("sts"), Some(Service::Sts));
    assert_eq!(Service::from_name("s3"), None);
    assert_eq!(Service::from_version("2010-05-08"), Some(Service::Iam));
    assert_eq!(Service::from_version("2011-06-15"), Some(Service::Sts));
    assert_eq!(Service::from_version("2012-10-17"), None);
}
