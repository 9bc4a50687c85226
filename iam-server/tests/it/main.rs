//! Integration tests of `iam-server`: responses checked against the botocore models, and
//! end-to-end runs of the real binary driven by boto3 and the aws CLI.

#[cfg(test)]
mod account_wide_e2e;
#[cfg(test)]
mod authorization;
#[cfg(test)]
mod authorization_details;
#[cfg(test)]
mod aws_managed_policies;
#[cfg(test)]
mod credential_report;
#[cfg(test)]
mod duplicate_tags;
#[cfg(test)]
mod e2e;
#[cfg(test)]
mod entities_for_policy;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod instance_profile_tags;
#[cfg(test)]
mod list_paging;
#[cfg(test)]
mod login_profiles;
#[cfg(test)]
mod long_values;
#[cfg(test)]
mod malformed_signatures;
#[cfg(test)]
mod mfa_devices;
#[cfg(test)]
mod models;
#[cfg(test)]
mod oidc_providers;
#[cfg(test)]
mod readme;
#[cfg(test)]
mod root_mfa;
#[cfg(test)]
mod root_user;
#[cfg(test)]
mod secret_parameters;
#[cfg(test)]
mod shapes;
#[cfg(test)]
mod sts_e2e;
