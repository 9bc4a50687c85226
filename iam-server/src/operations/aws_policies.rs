//! The rule that AWS managed policies are read-only: they belong to AWS, not to the caller's
//! account, so the actions that change a managed policy reject them with `AccessDenied`.

use iam_model::{ArnAccount, IamArn};

use super::{Call, OperationResult};
use crate::error::{ApiError, ErrorCode};

/// Rejects an action that would change an AWS managed policy, or returns `None` for other
/// actions and other policies, which run as usual.
pub(super) fn reject_change(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    // The messages are AWS's, which reports these as changes outside the caller's account.
    let message = match action {
        "DeletePolicy" => "Cannot delete policies outside your own account.",
        "CreatePolicyVersion" => "Cannot create versions for policies outside your own account.",
        "DeletePolicyVersion" => {
            "Cannot delete policy versions for policies outside your own account."
        }
        "SetDefaultPolicyVersion" => "Cannot update policies outside your own account.",
        _ => return None,
    };
    let arn = call.parameters.optional("PolicyArn")?.parse().ok()?;
    let is_aws_managed =
        IamArn::try_from(&arn).is_ok_and(|arn| matches!(arn.account(), ArnAccount::Aws));
    is_aws_managed.then(|| Err(ApiError::new(ErrorCode::AccessDenied, message)))
}
