//! Route paths as the OpenAPI document writes them (`/api/v1/contacts/{id}/insights`), matched
//! segment by segment: a literal segment must be equal, a `{parameter}` (optionally followed by a
//! literal suffix, as in `{token}.ics`) takes any non-empty segment. The same paths as actix's
//! `ResourceDef` accepts for these patterns, without running a regular expression per route on
//! every request (the authorization middleware looks up each request's operation among 200).

/// One route's path.
#[derive(Debug, Clone)]
pub struct PathPattern {
    segments: Vec<Segment>,
    params: usize,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// A parameter, then this literal text (usually none).
    Param(String),
}

impl PathPattern {
    pub fn new(pattern: &str) -> Self {
        let segments: Vec<Segment> = pattern
            .split('/')
            .map(|s| match s.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
                Some((_, suffix)) => Segment::Param(suffix.to_owned()),
                None => Segment::Literal(s.to_owned()),
            })
            .collect();
        let params = segments.iter().filter(|s| matches!(s, Segment::Param(_))).count();
        PathPattern { segments, params }
    }

    /// How many parameters the path has (literal routes win over parameters, as in routing).
    pub fn params(&self) -> usize {
        self.params
    }

    pub fn is_match(&self, path: &str) -> bool {
        let mut parts = path.split('/');
        for segment in &self.segments {
            let Some(part) = parts.next() else {
                return false;
            };
            let fits = match segment {
                Segment::Literal(text) => part == text,
                Segment::Param(suffix) => part.len() > suffix.len() && part.ends_with(suffix.as_str()),
            };
            if !fits {
                return false;
            }
        }
        parts.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ResourceDef;

    use super::PathPattern;

    #[test]
    fn paths_match_as_actix_matches_them() {
        let patterns = [
            "/api/v1/contacts",
            "/api/v1/contacts/tags",
            "/api/v1/contacts/{id}",
            "/api/v1/contacts/{id}/insights",
            "/api/v1/calendar/{token}.ics",
            "/health",
        ];
        let paths = [
            "/api/v1/contacts",
            "/api/v1/contacts/",
            "/api/v1/contacts/tags",
            "/api/v1/contacts/0193",
            "/api/v1/contacts/0193/",
            "/api/v1/contacts//insights",
            "/api/v1/contacts/0193/insights",
            "/api/v1/contacts/0193/insights/x",
            "/api/v1/calendar/abc.ics",
            "/api/v1/calendar/.ics",
            "/api/v1/calendar/abc",
            "/api/v1/contacts/a%2Fb",
            "/health",
            "/healthz",
            "",
            "/",
        ];
        for pattern in patterns {
            let ours = PathPattern::new(pattern);
            let actix = ResourceDef::new(pattern);
            for path in paths {
                assert_eq!(ours.is_match(path), actix.is_match(path), "{pattern} against {path}");
            }
        }
        assert_eq!(PathPattern::new("/a/{x}/b/{y}").params(), 2);
        assert_eq!(PathPattern::new("/a/b").params(), 0);
    }
}
