//! Wildcard patterns as IAM uses them in `Action`, `Resource` and the `Like` condition
//! operators.
//!
//! `*` matches any run of characters, including none, and `?` matches exactly one character.
//! Both span `:` and `/`. Every other character is literal, so a pattern is never a regular
//! expression. Action patterns compare ASCII letters without regard to case, and everything
//! else compares exactly.

#[cfg(test)]
mod tests;

/// Whether letters compare with or without regard to ASCII case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `A` and `a` are different characters: resources, principals, condition values.
    Sensitive,
    /// `A` and `a` are the same character: action names and the `IgnoreCase` operators.
    Insensitive,
}

/// A wildcard pattern, precompiled into the cheapest test that decides it.
///
/// Compiling once and matching many times is the fast path of evaluation: most patterns are a
/// literal, a literal followed by `*`, or `*` alone, and those match with one comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    shape: Shape,
    case: Case,
    /// The bytes a matching text must contain, as a [`ByteSet`]. It is empty for
    /// case-insensitive patterns.
    required: ByteSet,
}

/// A set of byte values folded to their low seven bits, used as a quick necessary condition:
/// a text can match a pattern only if its set covers the pattern's literal bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSet(u128);

impl ByteSet {
    /// Collects the bytes of `text`.
    pub fn of(text: &str) -> Self {
        let mut bits = 0_u128;
        for byte in text.bytes() {
            bits |= 1 << (byte & 0x7f);
        }
        Self(bits)
    }

    /// Tells whether every byte of `self` is also in `other`.
    fn is_subset(self, other: ByteSet) -> bool {
        self.0 & !other.0 == 0
    }
}

/// A piece of a pattern assembled from several sources, for [`Glob::from_parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobPart<'a> {
    /// Text in which `*` and `?` are wildcards.
    Pattern(&'a str),
    /// Text compared character by character, `*` and `?` included.
    Literal(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*`: matches everything.
    Any,
    /// No wildcard at all.
    Exact(Box<str>),
    /// A literal followed by one `*`.
    Prefix(Box<str>),
    /// `*` followed by a literal.
    Suffix(Box<str>),
    /// Several `*` and no `?`: the literal runs between the stars, each searched for in turn.
    Segments(Box<Segments>),
    /// Any other arrangement of wildcards.
    General(Box<[Atom]>),
}

/// A pattern `prefix*middle*…*suffix` without `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segments {
    prefix: Box<str>,
    middles: Box<[Box<str>]>,
    suffix: Box<str>,
}

impl Segments {
    /// Splits atoms that contain at least two `*` and no `?` at their stars.
    fn from_atoms(atoms: &[Atom]) -> Self {
        let mut runs: Vec<Box<str>> = atoms
            .split(|atom| *atom == Atom::Star)
            .map(literal_text)
            .collect();
        // INVARIANT (two stars): splitting at two or more stars gives at least three runs.
        let suffix = runs.pop().unwrap_or_default();
        let prefix = if runs.is_empty() {
            Box::default()
        } else {
            runs.remove(0)
        };
        // INVARIANT (non-empty middles): `find_run` needs a first byte to scan for.
        let middles = runs.into_iter().filter(|run| !run.is_empty()).collect();
        Self {
            prefix,
            middles,
            suffix,
        }
    }

    /// Matches case-sensitively: the prefix and suffix in place, then each middle run at its
    /// first occurrence after the previous one, which is the leftmost match a `*` allows.
    fn matches(&self, text: &str) -> bool {
        let fits = self.prefix.len() + self.suffix.len() <= text.len();
        if !fits || !text.starts_with(&*self.prefix) || !text.ends_with(&*self.suffix) {
            return false;
        }
        let end = text.len() - self.suffix.len();
        let mut rest = text
            .as_bytes()
            .get(self.prefix.len()..end)
            .unwrap_or_default();
        for middle in &self.middles {
            match find_run(rest, middle.as_bytes()) {
                Some(after) => rest = rest.get(after..).unwrap_or_default(),
                None => return false,
            }
        }
        true
    }
}

/// One unit of a general pattern: a byte to compare or a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    Byte(u8),
    Star,
    Question,
}

impl Glob {
    /// Compiles `pattern`. With [`Case::Insensitive`] the literal parts are stored in lowercase.
    pub fn new(pattern: &str, case: Case) -> Self {
        Self::from_parts(&[GlobPart::Pattern(pattern)], case)
    }

    /// Compiles a pattern made of wildcard text and literal text, such as a resource pattern
    /// after its policy variables were substituted.
    pub fn from_parts(parts: &[GlobPart<'_>], case: Case) -> Self {
        let mut atoms = Vec::new();
        for part in parts {
            let (text, wildcards) = match part {
                GlobPart::Pattern(text) => (text, true),
                GlobPart::Literal(text) => (text, false),
            };
            atoms.extend(text.bytes().map(|byte| match (byte, wildcards) {
                (b'*', true) => Atom::Star,
                (b'?', true) => Atom::Question,
                (byte, _) if case == Case::Insensitive => Atom::Byte(byte.to_ascii_lowercase()),
                (byte, _) => Atom::Byte(byte),
            }));
        }
        let shape = Shape::from_atoms(atoms, case);
        let required = match case {
            Case::Sensitive => ByteSet::of(&shape.literal_bytes()),
            Case::Insensitive => ByteSet::default(),
        };
        Self {
            shape,
            case,
            required,
        }
    }

    /// Tells whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        self.matches_in(text, self.case)
    }

    /// Tells whether `text` matches, given the [`ByteSet`] of `text` computed once for many
    /// patterns. A pattern whose literal bytes are not all in the set fails without a scan.
    pub fn matches_with(&self, text: &str, text_bytes: ByteSet) -> bool {
        self.required.is_subset(text_bytes) && self.matches(text)
    }

    /// Tells whether `text`, already in ASCII lowercase, matches the whole pattern. For a
    /// [`Case::Insensitive`] pattern this skips the case folding [`Glob::matches`] does.
    pub(crate) fn matches_lowercase(&self, text: &str) -> bool {
        self.matches_in(text, Case::Sensitive)
    }

    fn matches_in(&self, text: &str, case: Case) -> bool {
        let equal = |left: &str, right: &str| match case {
            Case::Sensitive => left == right,
            Case::Insensitive => left.eq_ignore_ascii_case(right),
        };
        match &self.shape {
            Shape::Any => true,
            Shape::Exact(literal) => equal(literal, text),
            Shape::Prefix(prefix) => text
                .get(..prefix.len())
                .is_some_and(|head| equal(prefix, head)),
            Shape::Suffix(suffix) => text
                .len()
                .checked_sub(suffix.len())
                .and_then(|start| text.get(start..))
                .is_some_and(|tail| equal(suffix, tail)),
            // INVARIANT (sensitive segments): only case-sensitive globs take this shape, and
            // they are always matched case-sensitively.
            Shape::Segments(segments) => segments.matches(text),
            Shape::General(atoms) => match_atoms(atoms, text.as_bytes(), case),
        }
    }

    /// Tells whether the pattern is `*` alone.
    pub fn is_any(&self) -> bool {
        matches!(self.shape, Shape::Any)
    }

    /// Rebuilds the pattern's text, lowercase for [`Case::Insensitive`]. A literal `*` or `?`
    /// from a [`GlobPart::Literal`] comes back as a wildcard.
    pub(crate) fn to_pattern(&self) -> String {
        match &self.shape {
            Shape::Any => "*".to_owned(),
            Shape::Exact(literal) => literal.to_string(),
            Shape::Prefix(prefix) => format!("{prefix}*"),
            Shape::Suffix(suffix) => format!("*{suffix}"),
            Shape::Segments(segments) => {
                let mut text = segments.prefix.to_string();
                for middle in &segments.middles {
                    text.push('*');
                    text.push_str(middle);
                }
                text.push('*');
                text.push_str(&segments.suffix);
                text
            }
            Shape::General(atoms) => {
                let bytes: Vec<u8> = atoms
                    .iter()
                    .map(|atom| match atom {
                        Atom::Byte(byte) => *byte,
                        Atom::Star => b'*',
                        Atom::Question => b'?',
                    })
                    .collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
        }
    }

    /// Returns the pattern's text when it has no wildcard, lowercase for [`Case::Insensitive`].
    pub fn as_exact(&self) -> Option<&str> {
        match &self.shape {
            Shape::Exact(literal) => Some(literal),
            _ => None,
        }
    }
}

impl Shape {
    /// Returns the literal text of the pattern, without its wildcards.
    fn literal_bytes(&self) -> String {
        match self {
            Shape::Any => String::new(),
            Shape::Exact(text) | Shape::Prefix(text) | Shape::Suffix(text) => text.to_string(),
            Shape::Segments(segments) => {
                let mut text = segments.prefix.to_string();
                segments
                    .middles
                    .iter()
                    .for_each(|middle| text.push_str(middle));
                text.push_str(&segments.suffix);
                text
            }
            Shape::General(atoms) => literal_text(atoms).into_string(),
        }
    }

    fn from_atoms(atoms: Vec<Atom>, case: Case) -> Self {
        let wildcard_count = atoms
            .iter()
            .filter(|atom| !matches!(atom, Atom::Byte(_)))
            .count();
        let stars_only = !atoms.contains(&Atom::Question);
        match (wildcard_count, atoms.first(), atoms.last()) {
            (0, _, _) => Shape::Exact(literal_text(&atoms)),
            (1, Some(Atom::Star), _) if atoms.len() == 1 => Shape::Any,
            (1, _, Some(Atom::Star)) => Shape::Prefix(literal_text(
                atoms.get(..atoms.len() - 1).unwrap_or_default(),
            )),
            (1, Some(Atom::Star), _) => {
                Shape::Suffix(literal_text(atoms.get(1..).unwrap_or_default()))
            }
            // INVARIANT (sensitive segments): case-insensitive globs keep the general shape.
            _ if stars_only && case == Case::Sensitive => {
                Shape::Segments(Box::new(Segments::from_atoms(&atoms)))
            }
            _ => Shape::General(atoms.into_boxed_slice()),
        }
    }
}

/// Returns the position just past the first occurrence of `needle` in `haystack`.
///
/// The runs between stars are short, so a scan for the first byte followed by a comparison
/// beats `str::find`, whose two-way searcher costs more to set up than the whole scan.
fn find_run(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    // INVARIANT (non-empty middles): the needle has a first byte.
    let (&first, tail) = needle.split_first()?;
    let mut start = 0;
    while let Some(offset) = haystack
        .get(start..)?
        .iter()
        .position(|&byte| byte == first)
    {
        let found = start + offset;
        let candidate = haystack.get(found + 1..found + needle.len());
        if candidate == Some(tail) {
            return Some(found + needle.len());
        }
        start = found + 1;
    }
    None
}

/// Collects the bytes of wildcard-free atoms back into text.
fn literal_text(atoms: &[Atom]) -> Box<str> {
    let bytes: Vec<u8> = atoms
        .iter()
        .filter_map(|atom| match atom {
            Atom::Byte(byte) => Some(*byte),
            Atom::Star | Atom::Question => None,
        })
        .collect();
    // INVARIANT (whole characters): atoms come from `str` bytes and wildcards are ASCII, so
    // removing them never splits a UTF-8 sequence.
    String::from_utf8(bytes)
        .unwrap_or_default()
        .into_boxed_str()
}

/// Matches `text` against a general pattern.
///
/// The algorithm is the usual backtracking over the last `*` seen, so it runs in
/// O(pattern × text) time at worst and allocates nothing. `?` consumes one whole UTF-8
/// character of `text`.
fn match_atoms(pattern: &[Atom], text: &[u8], case: Case) -> bool {
    let mut pattern_index = 0;
    let mut text_index = 0;
    // Where to resume after the last `*`: the pattern position after it and the text position
    // it has consumed up to.
    let mut resume: Option<(usize, usize)> = None;

    while text_index < text.len() {
        let atom = pattern.get(pattern_index).copied();
        let text_byte = text.get(text_index).copied();
        match (atom, text_byte) {
            (Some(Atom::Star), _) => {
                pattern_index += 1;
                resume = Some((pattern_index, text_index));
                continue;
            }
            (Some(Atom::Question), _) => {
                pattern_index += 1;
                text_index += utf8_width(text, text_index);
                continue;
            }
            (Some(Atom::Byte(expected)), Some(actual)) if bytes_equal(expected, actual, case) => {
                pattern_index += 1;
                text_index += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((after_star, consumed)) => {
                // Let the last `*` swallow one more character and retry from there.
                let next = consumed + utf8_width(text, consumed);
                resume = Some((after_star, next));
                pattern_index = after_star;
                text_index = next;
            }
            None => return false,
        }
    }

    pattern
        .get(pattern_index..)
        .is_some_and(|rest| rest.iter().all(|atom| *atom == Atom::Star))
}

fn bytes_equal(expected: u8, actual: u8, case: Case) -> bool {
    match case {
        Case::Sensitive => expected == actual,
        Case::Insensitive => expected == actual.to_ascii_lowercase(),
    }
}

/// Returns the byte length of the UTF-8 character starting at `index`, or 1 past the end.
fn utf8_width(bytes: &[u8], index: usize) -> usize {
    match bytes.get(index) {
        Some(&byte) if byte >= 0xF0 => 4,
        Some(&byte) if byte >= 0xE0 => 3,
        Some(&byte) if byte >= 0xC0 => 2,
        _ => 1,
    }
}
