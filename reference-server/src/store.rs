//! The sessions, their line items, and cursor pagination over them.

use std::collections::{HashMap, VecDeque};

use checkout_sessions::types::{CheckoutSession, Item};

/// A stored session with its line items, in creation order.
#[derive(Clone, Debug)]
pub struct Stored {
    /// The session, without `line_items` (they are added when expanded).
    pub session: CheckoutSession,
    /// Its line items, in the order given at creation.
    pub items: Vec<Item>,
    /// Creation order: higher is newer.
    pub seq: u64,
}

/// A remembered answer to an idempotent request.
#[derive(Clone, Debug)]
pub struct Remembered {
    /// The request's params, as JSON, to tell a replay from a misuse.
    pub fingerprint: String,
    /// The answer: a status and a JSON body.
    pub status: u16,
    pub body: String,
}

/// Everything the server holds.
#[derive(Debug, Default)]
pub struct Store {
    sessions: Vec<Stored>,
    index: HashMap<String, usize>,
    next_seq: u64,
    idempotency: HashMap<(String, String), Remembered>,
    idempotency_order: VecDeque<(String, String)>,
}

/// How many idempotency keys are remembered before the oldest is forgotten.
const IDEMPOTENCY_KEYS: usize = 100_000;

/// A page, and whether more follows it.
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

/// Where a page starts or ends.
pub enum Cursor {
    /// The first page.
    Start,
    /// The page after this position.
    After(usize),
    /// The page before this position.
    Before(usize),
}

/// A page of `items` (in list order) of at most `limit` items.
pub fn paginate<T: Clone>(items: &[T], cursor: Cursor, limit: usize) -> Page<T> {
    match cursor {
        Cursor::Start => {
            let data: Vec<T> = items.iter().take(limit).cloned().collect();
            Page { has_more: items.len() > data.len(), data }
        }
        Cursor::After(at) => {
            let rest = &items[(at + 1).min(items.len())..];
            let data: Vec<T> = rest.iter().take(limit).cloned().collect();
            Page { has_more: rest.len() > data.len(), data }
        }
        Cursor::Before(at) => {
            let before = &items[..at.min(items.len())];
            let start = before.len().saturating_sub(limit);
            Page { data: before[start..].to_vec(), has_more: start > 0 }
        }
    }
}

impl Store {
    /// Adds a session; returns it as stored.
    pub fn insert(&mut self, session: CheckoutSession, items: Vec<Item>) -> &Stored {
        self.next_seq += 1;
        let at = self.sessions.len();
        self.index.insert(session.id.clone(), at);
        self.sessions.push(Stored { session, items, seq: self.next_seq });
        &self.sessions[at]
    }

    /// The session with this ID.
    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.index.get(id).map(|&at| &self.sessions[at])
    }

    /// The session with this ID, to change it.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Stored> {
        self.index.get(id).map(|&at| &mut self.sessions[at])
    }

    /// Every session, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Stored> {
        self.sessions.iter().rev()
    }

    /// Every session, to change them (for expiry by time).
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Stored> {
        self.sessions.iter_mut()
    }

    /// How many sessions there are.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// The answer remembered for an idempotency key of an operation.
    pub fn remembered(&self, operation: &str, key: &str) -> Option<&Remembered> {
        self.idempotency.get(&(operation.to_owned(), key.to_owned()))
    }

    /// Remembers the answer for an idempotency key of an operation.
    pub fn remember(&mut self, operation: &str, key: &str, answer: Remembered) {
        let slot = (operation.to_owned(), key.to_owned());
        if self.idempotency.insert(slot.clone(), answer).is_none() {
            self.idempotency_order.push_back(slot);
        }
        while self.idempotency_order.len() > IDEMPOTENCY_KEYS {
            if let Some(old) = self.idempotency_order.pop_front() {
                self.idempotency.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, paginate};

    #[test]
    fn pages_forwards_and_backwards() {
        let items: Vec<u32> = (0..7).collect();
        let first = paginate(&items, Cursor::Start, 3);
        assert_eq!((first.data, first.has_more), (vec![0, 1, 2], true));
        let next = paginate(&items, Cursor::After(2), 3);
        assert_eq!((next.data, next.has_more), (vec![3, 4, 5], true));
        let last = paginate(&items, Cursor::After(5), 3);
        assert_eq!((last.data, last.has_more), (vec![6], false));
        let back = paginate(&items, Cursor::Before(6), 3);
        assert_eq!((back.data, back.has_more), (vec![3, 4, 5], true));
        let front = paginate(&items, Cursor::Before(2), 3);
        assert_eq!((front.data, front.has_more), (vec![0, 1], false));
    }
}
