//! `GetAccountAuthorizationDetails`: every user, group, role and managed policy of the account
//! with their policies and relationships, in one paginated snapshot.
//!
//! The result is five listings in a fixed order (users, groups, roles, customer managed
//! policies, attached AWS managed policies), and `MaxItems` counts the items of all of them
//! together. A marker names the listing to continue and the store's own marker inside it, so a
//! page resumes after the last item returned even when entities change between calls.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iam_model::{Arn, Group, IamArn, InlinePolicy, ManagedPolicy, Role, User};
use iam_store::{
    DEFAULT_MAX_ITEMS, Identity, ListOptions, ListPoliciesOptions, ManagedPolicyDocument, Page,
    PolicyScope, Principal,
};

use super::{Call, OperationResult, list_options};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::xml::{Fields, Node};

/// The maximum marker length, in characters. A marker contains a section name and one store
/// marker, which is at most 2,048 characters.
const MAX_MARKER_LEN: usize = 4096;

/// Runs `GetAccountAuthorizationDetails`, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    match action {
        "GetAccountAuthorizationDetails" => Some(get_account_authorization_details(call).await),
        _ => None,
    }
}

/// One listing of the result, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Users,
    Groups,
    Roles,
    LocalPolicies,
    AwsPolicies,
}

impl Section {
    const ALL: [Section; 5] = [
        Section::Users,
        Section::Groups,
        Section::Roles,
        Section::LocalPolicies,
        Section::AwsPolicies,
    ];

    /// Returns the `EntityType` value that selects the section in `Filter`.
    fn entity_type(self) -> &'static str {
        match self {
            Section::Users => "User",
            Section::Groups => "Group",
            Section::Roles => "Role",
            Section::LocalPolicies => "LocalManagedPolicy",
            Section::AwsPolicies => "AWSManagedPolicy",
        }
    }

    fn from_entity_type(text: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| section.entity_type() == text)
    }
}

/// The items of one page, each list in its section's order.
#[derive(Default)]
struct Details {
    users: Vec<Node>,
    groups: Vec<Node>,
    roles: Vec<Node>,
    policies: Vec<Node>,
}

async fn get_account_authorization_details(call: &Call<'_>) -> OperationResult {
    let sections = sections(call)?;
    let options = list_options(call.parameters, false)?;
    let max_items = options.max_items.unwrap_or(DEFAULT_MAX_ITEMS) as usize;
    let (first, mut store_marker) = match &options.marker {
        Some(marker) => decode_marker(marker)?,
        None => (sections.first().copied().unwrap_or(Section::Users), None),
    };

    let mut details = Details::default();
    let mut remaining = max_items;
    let mut next_marker = None;
    let pending: Vec<Section> = sections
        .iter()
        .copied()
        .filter(|section| *section >= first)
        .collect();
    for (position, section) in pending.iter().enumerate() {
        let page_options = ListOptions {
            path_prefix: None,
            marker: store_marker.take(),
            max_items: Some(u32::try_from(remaining).unwrap_or(DEFAULT_MAX_ITEMS)),
        };
        let (count, marker) = list_section(call, *section, &page_options, &mut details).await?;
        remaining = remaining.saturating_sub(count);
        if let Some(marker) = marker {
            next_marker = Some(encode_marker(*section, Some(&marker)));
            break;
        }
        if remaining == 0 {
            // The page is full. The next call starts at the next section, which may turn out
            // empty, as AWS allows: a truncated page may be followed by an empty last one.
            next_marker = pending
                .get(position + 1)
                .map(|next| encode_marker(*next, None));
            break;
        }
    }

    Ok(Some(
        Fields::new()
            .list("UserDetailList", details.users)
            .list("GroupDetailList", details.groups)
            .list("RoleDetailList", details.roles)
            .list("Policies", details.policies)
            .pagination(next_marker),
    ))
}

/// Reads `Filter`: the sections to return, every section when it is absent or empty.
fn sections(call: &Call<'_>) -> Result<Vec<Section>, ApiError> {
    let filter = call.parameters.list("Filter")?.unwrap_or_default();
    let mut sections = Vec::new();
    for value in &filter {
        let section = Section::from_entity_type(value).ok_or_else(|| {
            ApiError::invalid_value(
                "Filter",
                &format!("[{}]", filter.join(", ")),
                "Member must satisfy constraint: [Member must satisfy enum value set: \
                 [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]",
            )
        })?;
        sections.push(section);
    }
    if sections.is_empty() {
        sections = Section::ALL.to_vec();
    }
    sections.sort();
    sections.dedup();
    Ok(sections)
}

/// Adds one page of `section` to `details`, returning how many items it added and the store's
/// marker when the section has more.
async fn list_section(
    call: &Call<'_>,
    section: Section,
    options: &ListOptions,
    details: &mut Details,
) -> Result<(usize, Option<String>), ApiError> {
    let store = &call.state.store;
    let account = call.account();
    match section {
        Section::Users => {
            let page = store.list_users(account, options).await?;
            for user in &page.items {
                details
                    .users
                    .push(Node::Structure(user_detail(call, user).await?));
            }
            Ok((page.items.len(), page.marker))
        }
        Section::Groups => {
            let page = store.list_groups(account, options).await?;
            for group in &page.items {
                details
                    .groups
                    .push(Node::Structure(group_detail(call, group).await?));
            }
            Ok((page.items.len(), page.marker))
        }
        Section::Roles => {
            let page = store.list_roles(account, options).await?;
            for role in &page.items {
                details
                    .roles
                    .push(Node::Structure(role_detail(call, role).await?));
            }
            Ok((page.items.len(), page.marker))
        }
        Section::LocalPolicies | Section::AwsPolicies => {
            let aws = section == Section::AwsPolicies;
            // NOTE: Of the AWS managed policies only those attached to a user, group or role
            // are listed, like `ListPolicies` with `OnlyAttached`. One used only as a
            // permissions boundary is left out.
            let policy_options = ListPoliciesOptions {
                scope: if aws {
                    PolicyScope::Aws
                } else {
                    PolicyScope::Local
                },
                only_attached: aws,
                list: options.clone(),
            };
            let page = store.list_policies(account, &policy_options).await?;
            details.policies.extend(
                page.items
                    .iter()
                    .map(|policy| Node::Structure(policy_detail(policy))),
            );
            Ok((page.items.len(), page.marker))
        }
    }
}

async fn user_detail(call: &Call<'_>, user: &User) -> Result<Fields, ApiError> {
    let identity = Identity::User(user.user_name.clone());
    let loaded = call
        .state
        .store
        .principal_policies(call.account(), &identity)
        .await?;
    // The snapshot contains the user as read with its policies, which may be newer than `user`.
    let user = match &loaded.principal {
        Principal::User(user) => user,
        Principal::Role(_) => user,
    };
    let group_names = loaded
        .groups
        .iter()
        .map(|group| Node::Text(group.group.group_name.clone()));
    let fields = encode::user_summary(user)
        .list("UserPolicyList", inline_details(&loaded.inline_policies))
        .list("GroupList", group_names)
        .list(
            "AttachedManagedPolicies",
            attached_documents(&loaded.managed_policies),
        )
        .optional_structure(
            "PermissionsBoundary",
            user.permissions_boundary
                .as_ref()
                .map(encode::permissions_boundary),
        );
    Ok(encode::with_tags(fields, &user.tags))
}

async fn group_detail(call: &Call<'_>, group: &Group) -> Result<Fields, ApiError> {
    let store = &call.state.store;
    let account = call.account();
    let identity = &Identity::Group(group.group_name.clone());

    let names = all_pages(|options| async move {
        store
            .list_inline_policies(account, identity, &options)
            .await
    })
    .await?;
    let mut inline = Vec::with_capacity(names.len());
    for name in &names {
        inline.push(store.inline_policy(account, identity, name).await?);
    }
    let attached = all_pages(|options| async move {
        store
            .list_attached_policies(account, identity, &options)
            .await
    })
    .await?;

    let attached = attached.iter().map(|policy| {
        Node::Structure(encode::attached_policy(
            &policy.policy_name,
            &policy.policy_arn,
        ))
    });
    Ok(encode::group(group)
        .list("GroupPolicyList", inline_details(&inline))
        .list("AttachedManagedPolicies", attached))
}

async fn role_detail(call: &Call<'_>, role: &Role) -> Result<Fields, ApiError> {
    let store = &call.state.store;
    let account = call.account();
    let identity = Identity::Role(role.role_name.clone());
    let loaded = store.principal_policies(account, &identity).await?;
    let role = match &loaded.principal {
        Principal::Role(role) => role,
        Principal::User(_) => role,
    };
    let role_name = role.role_name.as_str();
    let profiles = all_pages(|options| async move {
        store
            .list_instance_profiles_for_role(account, role_name, &options)
            .await
    })
    .await?;
    let mut profile_nodes = Vec::with_capacity(profiles.len());
    for profile in &profiles {
        let mut roles = Vec::with_capacity(profile.role_names.len());
        for name in &profile.role_names {
            if name.eq_ignore_ascii_case(&role.role_name) {
                roles.push(role.clone());
            } else {
                roles.push(store.role(account, name).await?.record);
            }
        }
        profile_nodes.push(Node::Structure(encode::instance_profile(profile, &roles)));
    }

    let fields = encode::role_identity(role)
        .list("InstanceProfileList", profile_nodes)
        .list("RolePolicyList", inline_details(&loaded.inline_policies))
        .list(
            "AttachedManagedPolicies",
            attached_documents(&loaded.managed_policies),
        )
        .optional_structure(
            "PermissionsBoundary",
            role.permissions_boundary
                .as_ref()
                .map(encode::permissions_boundary),
        );
    let fields = encode::with_tags(fields, &role.tags);
    // AWS returns an empty `RoleLastUsed` for a role never used.
    let last_used = encode::role_last_used(role).unwrap_or_default();
    Ok(fields.structure("RoleLastUsed", last_used))
}

/// Builds `ManagedPolicyDetail`: the policy with every stored version and its document,
/// newest first.
fn policy_detail(policy: &ManagedPolicy) -> Fields {
    let mut versions: Vec<_> = policy.versions.iter().collect();
    versions.sort_by_key(|version| std::cmp::Reverse(version.version_id));
    let versions = versions
        .into_iter()
        .map(|version| Node::Structure(encode::policy_version(version, true)));
    encode::policy(policy, false).list("PolicyVersionList", versions)
}

/// Builds a `PolicyDetail` list: inline policies with URL-encoded documents.
fn inline_details(policies: &[InlinePolicy]) -> Vec<Node> {
    policies
        .iter()
        .map(|policy| {
            Node::Structure(
                Fields::new()
                    .text("PolicyName", policy.policy_name.as_str())
                    .policy_document("PolicyDocument", &policy.policy_document),
            )
        })
        .collect()
}

/// Builds an `AttachedPolicy` list from the managed policies of a principal snapshot.
fn attached_documents(documents: &[ManagedPolicyDocument]) -> Vec<Node> {
    documents
        .iter()
        .map(|document| {
            Node::Structure(encode::attached_policy(
                &policy_name(&document.policy_arn),
                &document.policy_arn,
            ))
        })
        .collect()
}

/// Returns the name in a managed policy ARN, the last segment of its resource.
fn policy_name(arn: &Arn) -> String {
    match IamArn::try_from(arn).map(|arn| arn.resource().clone()) {
        Ok(iam_model::IamResource::Policy { name, .. }) => name,
        _ => arn.to_string(),
    }
}

/// Reads every page of a listing.
async fn all_pages<T, F, Fut>(mut list: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(ListOptions) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, iam_store::StoreError>>,
{
    let mut items = Vec::new();
    let mut options = ListOptions::first(iam_store::MAX_MAX_ITEMS);
    loop {
        let page = list(options.clone()).await?;
        items.extend(page.items);
        match page.marker {
            Some(marker) => options = options.after(marker),
            None => return Ok(items),
        }
    }
}

fn encode_marker(section: Section, store_marker: Option<&str>) -> String {
    let text = format!("{}\n{}", section.entity_type(), store_marker.unwrap_or(""));
    URL_SAFE_NO_PAD.encode(text)
}

/// Reads a marker of this action: the section to continue and the store's marker in it.
fn decode_marker(marker: &str) -> Result<(Section, Option<String>), ApiError> {
    let invalid = || {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("invalid Marker `{marker}`, expected the Marker of a previous response"),
        )
    };
    if marker.len() > MAX_MARKER_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(marker.as_bytes())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (entity_type, store_marker) = text.split_once('\n').ok_or_else(invalid)?;
    let section = Section::from_entity_type(entity_type).ok_or_else(invalid)?;
    let store_marker = (!store_marker.is_empty()).then(|| store_marker.to_owned());
    Ok((section, store_marker))
}

#[cfg(test)]
mod tests;
