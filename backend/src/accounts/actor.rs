//! Who makes the changes of the current request: set by the authentication middleware around
//! the handler (like the request id), read where a change is recorded (the activity history) and
//! where a record gets its default owner. Nothing outside a request (seeding, chores) has one.

use std::future::Future;

use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    /// The name the history shows: the user's, and the token's for API clients.
    pub name: String,
}

tokio::task_local! {
    static ACTOR: Actor;
}

/// The actor of the current request, if any.
pub fn current() -> Option<Actor> {
    ACTOR.try_with(Clone::clone).ok()
}

/// Runs `f` as `actor`.
pub async fn scope<F: Future>(actor: Option<Actor>, f: F) -> F::Output {
    match actor {
        Some(a) => ACTOR.scope(a, f).await,
        None => f.await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_actor_is_known_inside_its_scope_only() {
        assert!(current().is_none());
        let id = Uuid::now_v7();
        let seen = scope(
            Some(Actor {
                user_id: id,
                name: "Ada".into(),
            }),
            async { current().map(|a| (a.user_id, a.name)) },
        )
        .await;
        assert_eq!(seen, Some((id, "Ada".to_owned())));
        assert!(current().is_none());
    }
}
