//! The product's features (status-page components), as far as support
//! requests need them.
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ComponentRef {
    pub id: String,
    pub name: String,
}

impl Store {
    pub async fn component_exists(&self, id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM components WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Every component, in display order.
    pub async fn component_refs(&self) -> Result<Vec<ComponentRef>> {
        Ok(
            sqlx::query_as("SELECT id, name FROM components ORDER BY position, name")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
