//! Query strings with repeated keys (`id=a&id=b`), which axum's `Query` extractor cannot keep.

/// A parsed query string, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> QueryParams {
        let pairs = form_urlencoded::parse(raw.unwrap_or_default().as_bytes());
        QueryParams(
            pairs
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, repeated or comma-joined (`id=a&id=b` and `id=a,b` alike), empty
    /// ones dropped.
    // GUESS: both forms are accepted (genesys-api.md [VERIFY] item 5).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The pairs other than `skip`, re-encoded (for paging URIs).
    pub fn encode_without(&self, skip: &[&str]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.0.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_joined_ids() {
        let q = QueryParams::parse(Some("id=a&id=b,c&pageSize=2&id=&name=x%20y"));
        assert_eq!(q.list("id"), ["a", "b", "c"]);
        assert_eq!(q.get("pageSize"), Some("2"));
        assert_eq!(q.get("name"), Some("x y"));
        assert_eq!(q.encode_without(&["pageSize", "id"]), "name=x+y");
        assert_eq!(QueryParams::parse(None).list("id"), Vec::<String>::new());
    }
}
