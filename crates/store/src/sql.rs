//! Dynamic SQL with its arguments, numbered as it is written.
//!
//! sqlx's own `QueryBuilder` would be the first choice, but over the `Any`
//! driver (our one code path for SQLite and PostgreSQL) it writes `?`
//! placeholders (`AnyArguments` keeps the trait's default), which
//! PostgreSQL rejects. This builder does the same job with `$n`, which both
//! backends accept: text and arguments are pushed together, so no
//! placeholder is ever counted by hand.
use sqlx::any::AnyArguments;

/// One argument value.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    /// Text or NULL.
    OptText(Option<String>),
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Self {
        Arg::OptText(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(i: i64) -> Self {
        Arg::Int(i)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// The statement with its arguments bound in order.
    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.as_str()),
                Arg::Int(i) => q.bind(*i),
                Arg::OptText(t) => q.bind(t.clone()),
            };
        }
        q
    }

    /// The query with its arguments bound in order.
    pub(crate) fn query_as<'q, T>(
        &'q self,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, T, AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.as_str()),
                Arg::Int(i) => q.bind(*i),
                Arg::OptText(t) => q.bind(t.clone()),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_arguments() {
        let mut s = Sql::new("SELECT * FROM t WHERE a = ");
        s.bind("x")
            .push(" AND (b < ")
            .bind(3)
            .push(" OR c = ")
            .bind("y")
            .push(")");
        assert_eq!(
            s.text,
            "SELECT * FROM t WHERE a = $1 AND (b < $2 OR c = $3)"
        );
        assert_eq!(s.args.len(), 3);
    }
}
