//! OpenID Connect identity providers: register, read, list, delete, client ids, thumbprints
//! and tags.
//!
//! The provider's signing keys come from a file in the data directory, read by
//! [`crate::oidc_keys`] when a provider is registered and when its thumbprints change.

use iam_model::{Arn, OidcProvider, validate};

use super::{
    Call, OperationResult, add_tags, list_options, optional_arn, tag_keys, tags, tags_page,
};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::oidc_keys::{JwksFileError, refresh_jwks};
use crate::xml::{Fields, Node};

/// Runs an OpenID Connect provider operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateOpenIDConnectProvider" => create_provider(call).await,
        "GetOpenIDConnectProvider" => get_provider(call).await,
        "ListOpenIDConnectProviders" => list_providers(call).await,
        "DeleteOpenIDConnectProvider" => delete_provider(call).await,
        "AddClientIDToOpenIDConnectProvider" => change_client_id(call, true).await,
        "RemoveClientIDFromOpenIDConnectProvider" => change_client_id(call, false).await,
        "UpdateOpenIDConnectProviderThumbprint" => update_thumbprints(call).await,
        "TagOpenIDConnectProvider" => tag_provider(call).await,
        "UntagOpenIDConnectProvider" => untag_provider(call).await,
        "ListOpenIDConnectProviderTags" => list_provider_tags(call).await,
        _ => return None,
    };
    Some(result)
}

async fn create_provider(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let url = parameters.required("Url")?;
    let client_ids = parameters.list("ClientIDList")?.unwrap_or_default();
    let thumbprints = parameters.list("ThumbprintList")?.unwrap_or_default();
    let provider_tags = tags(parameters)?;
    let mut provider = OidcProvider::new(
        call.partition(),
        call.account(),
        url,
        client_ids,
        thumbprints,
        call.state.clock.now(),
    )?;
    provider.tags = provider_tags;
    load_signing_keys(call, &mut provider)?;

    call.state
        .store
        .create_oidc_provider(call.account(), provider.clone())
        .await?;
    let fields = Fields::new().text("OpenIDConnectProviderArn", provider.arn.to_string());
    let fields = if provider.tags.is_empty() {
        fields
    } else {
        fields.list("Tags", encode::tags(&provider.tags))
    };
    Ok(Some(fields))
}

async fn get_provider(call: &Call<'_>) -> OperationResult {
    let provider = provider(call).await?;
    Ok(Some(encode::oidc_provider(&provider)))
}

async fn list_providers(call: &Call<'_>) -> OperationResult {
    let providers = call.state.store.list_oidc_providers(call.account()).await?;
    let members = providers
        .iter()
        .map(|provider| Node::Structure(Fields::new().text("Arn", provider.arn.to_string())));
    Ok(Some(
        Fields::new().list("OpenIDConnectProviderList", members),
    ))
}

async fn delete_provider(call: &Call<'_>) -> OperationResult {
    let arn = provider_arn(call)?;
    call.state
        .store
        .delete_oidc_provider(call.account(), &arn)
        .await?;
    Ok(None)
}

/// Adds or removes one client id. Both are idempotent, as in AWS: adding a present id or
/// removing an absent one succeeds without a change.
async fn change_client_id(call: &Call<'_>, add: bool) -> OperationResult {
    let client_id = call.parameters.required("ClientID")?;
    validate::oidc_client_ids(&[client_id.to_owned()])?;
    let mut provider = provider(call).await?;
    let present = provider.client_id_list.iter().any(|id| id == client_id);
    match (add, present) {
        (true, false) => {
            provider.client_id_list.push(client_id.to_owned());
            validate::oidc_client_ids(&provider.client_id_list).map_err(|_| {
                ApiError::new(
                    ErrorCode::LimitExceeded,
                    format!(
                        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {}",
                        validate::MAX_OIDC_CLIENT_IDS
                    ),
                )
            })?;
        }
        (false, true) => provider.client_id_list.retain(|id| id != client_id),
        _ => return Ok(None),
    }
    call.state
        .store
        .update_oidc_provider(call.account(), provider)
        .await?;
    Ok(None)
}

async fn update_thumbprints(call: &Call<'_>) -> OperationResult {
    let thumbprints = call
        .parameters
        .list("ThumbprintList")?
        .ok_or_else(|| ApiError::missing_parameter("ThumbprintList"))?;
    validate::oidc_thumbprints(&thumbprints)?;
    let mut provider = provider(call).await?;
    provider.thumbprint_list = thumbprints;
    load_signing_keys(call, &mut provider)?;
    call.state
        .store
        .update_oidc_provider(call.account(), provider)
        .await?;
    Ok(None)
}

async fn tag_provider(call: &Call<'_>) -> OperationResult {
    let added = tags(call.parameters)?;
    if added.is_empty() {
        return Err(ApiError::missing_parameter("Tags"));
    }
    let mut provider = provider(call).await?;
    add_tags(&mut provider.tags, &added)?;
    call.state
        .store
        .update_oidc_provider(call.account(), provider)
        .await?;
    Ok(None)
}

async fn untag_provider(call: &Call<'_>) -> OperationResult {
    let keys = tag_keys(call.parameters)?;
    let mut provider = provider(call).await?;
    iam_model::remove_tags(&mut provider.tags, &keys);
    call.state
        .store
        .update_oidc_provider(call.account(), provider)
        .await?;
    Ok(None)
}

async fn list_provider_tags(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let provider = provider(call).await?;
    tags_page(
        "ListOpenIDConnectProviderTags",
        provider.tags.clone(),
        &options,
    )
}

/// Reads `OpenIDConnectProviderArn`.
fn provider_arn(call: &Call<'_>) -> Result<Arn, ApiError> {
    optional_arn(call.parameters, "OpenIDConnectProviderArn")?
        .ok_or_else(|| ApiError::missing_parameter("OpenIDConnectProviderArn"))
}

async fn provider(call: &Call<'_>) -> Result<OidcProvider, ApiError> {
    let arn = provider_arn(call)?;
    match call.state.store.oidc_provider(call.account(), &arn).await {
        Ok(provider) => Ok(provider),
        Err(iam_store::StoreError::NoSuchEntity { .. }) => Err(ApiError::new(
            ErrorCode::NoSuchEntity,
            format!("OpenIDConnect Provider not found for arn {arn}"),
        )),
        Err(error) => Err(error.into()),
    }
}

/// Copies the provider's JWKS file, when the server has one, into its record.
fn load_signing_keys(call: &Call<'_>, provider: &mut OidcProvider) -> Result<(), ApiError> {
    let Some(directory) = &call.state.oidc_jwks_dir else {
        return Ok(());
    };
    refresh_jwks(directory, provider)
        .map(drop)
        .map_err(|error| {
            tracing::error!(%error, url = %provider.url, "the provider's JWKS file cannot be used");
            let reason = match error {
                JwksFileError::Read { .. } => "cannot be read",
                JwksFileError::Invalid { .. } => "is not a valid JSON Web Key Set",
            };
            ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "The signing keys file of {} in the server's data directory {reason}. Fix or \
                 remove the file and retry; the server log names it.",
                    provider.url
                ),
            )
        })
}
