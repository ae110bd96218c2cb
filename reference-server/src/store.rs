//! The sessions, their line items, and cursor pagination over them.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use checkout_sessions::types::{CheckoutSession, Item};

/// A stored session with its line items. Sessions are kept in creation
/// order: a position in that order is what list cursors resolve to.
#[derive(Clone, Debug)]
pub struct Stored {
    /// The session, without `line_items` (they are added when expanded).
    pub session: CheckoutSession,
    /// Its line items, in the order given at creation.
    pub items: Vec<Item>,
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
    /// `(expires_at, position)` of every session that may still be open,
    /// soonest first: expiry by time looks only at the top.
    deadlines: BinaryHeap<Reverse<(i64, usize)>>,
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
        let at = self.sessions.len();
        self.index.insert(session.id.clone(), at);
        self.deadlines.push(Reverse((session.expires_at, at)));
        self.sessions.push(Stored { session, items });
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

    /// Whether a session may have passed its deadline by `now`.
    pub fn deadline_passed(&self, now: i64) -> bool {
        self.deadlines.peek().is_some_and(|Reverse((at, _))| *at <= now)
    }

    /// Calls `expire` on every session whose deadline is `now` or earlier,
    /// once each, soonest first.
    pub fn take_due(&mut self, now: i64, mut expire: impl FnMut(&mut Stored)) {
        while let Some(&Reverse((at, position))) = self.deadlines.peek() {
            if at > now {
                break;
            }
            self.deadlines.pop();
            expire(&mut self.sessions[position]);
        }
    }

    /// A page of the sessions `keep` accepts, newest first: the first page,
    /// the one after the session at `Cursor::After`, or the one before
    /// the session at `Cursor::Before` (positions as `position` answers).
    /// It reads only as far as the page needs.
    pub fn page(&self, cursor: Cursor, limit: usize, keep: impl Fn(&Stored) -> bool) -> Page<&Stored> {
        fn take<'a>(items: impl Iterator<Item = &'a Stored>, keep: impl Fn(&Stored) -> bool, limit: usize) -> Vec<&'a Stored> {
            items.filter(|s| keep(s)).take(limit + 1).collect()
        }
        let all = &self.sessions;
        let (mut data, newest_first) = match cursor {
            Cursor::Start => (take(all.iter().rev(), keep, limit), true),
            Cursor::After(at) => (take(all[..at.min(all.len())].iter().rev(), keep, limit), true),
            Cursor::Before(at) => (take(all[(at + 1).min(all.len())..].iter(), keep, limit), false),
        };
        let has_more = data.len() > limit;
        data.truncate(limit);
        if !newest_first {
            data.reverse();
        }
        Page { data, has_more }
    }

    /// Where the session with this ID is, for cursors.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
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
    use super::{Cursor, Store, Stored, paginate};
    use crate::{Clock, Config};
    use checkout_sessions::types::{CheckoutSessionMode, CreateCheckoutSessionLineItems, CreateCheckoutSessionParams};

    /// A store of `n` sessions created one second apart, expiring in the
    /// reverse order; session `i` has `client_reference_id` `i`.
    fn store(n: i64) -> Store {
        let mut store = Store::default();
        for i in 0..n {
            let config = Config { clock: Clock::manual(1_700_000_000 + i), ..Config::default() };
            let params = CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
                .success_url("https://e.x")
                .client_reference_id(i.to_string())
                .expires_at(1_700_000_000 + 7200 - 60 * i)
                .line_items(vec![CreateCheckoutSessionLineItems::default().price("price_1MotwRLkdIwHu7ixYcPLm5uZ").quantity(1)]);
            let (session, items) = crate::create::build(&params, &config).unwrap();
            store.insert(session, items);
        }
        store
    }

    fn refs(page: &[&Stored]) -> Vec<i64> {
        page.iter().map(|s| s.session.client_reference_id.as_deref().unwrap().parse().unwrap()).collect()
    }

    #[test]
    fn pages_of_sessions_are_newest_first_and_filtered_lazily() {
        let store = store(10);
        let even = |s: &Stored| s.session.client_reference_id.as_deref().unwrap().parse::<i64>().unwrap() % 2 == 0;
        let first = store.page(Cursor::Start, 3, even);
        assert_eq!((refs(&first.data), first.has_more), (vec![8, 6, 4], true));
        let at = |i: i64| store.position(&store.sessions[i as usize].session.id).unwrap();
        let next = store.page(Cursor::After(at(4)), 3, even);
        assert_eq!((refs(&next.data), next.has_more), (vec![2, 0], false));
        // A cursor may name a session the filter leaves out.
        let next = store.page(Cursor::After(at(5)), 3, even);
        assert_eq!((refs(&next.data), next.has_more), (vec![4, 2, 0], false));
        let back = store.page(Cursor::Before(at(2)), 2, even);
        assert_eq!((refs(&back.data), back.has_more), (vec![6, 4], true));
        let back = store.page(Cursor::Before(at(4)), 5, even);
        assert_eq!((refs(&back.data), back.has_more), (vec![8, 6], false));
        let all = store.page(Cursor::Start, 100, |_| true);
        assert_eq!((refs(&all.data), all.has_more), ((0..10).rev().collect(), false));
    }

    #[test]
    fn due_sessions_are_taken_once_soonest_first() {
        let mut store = store(5);
        // Session i expires at 1_700_007_200 - 60 i.
        assert!(!store.deadline_passed(1_700_007_200 - 241));
        assert!(store.deadline_passed(1_700_007_200 - 240));
        let mut taken = Vec::new();
        store.take_due(1_700_007_200 - 120, |s| taken.push(s.session.client_reference_id.clone().unwrap()));
        assert_eq!(taken, ["4", "3", "2"]);
        store.take_due(1_700_007_200 - 120, |s| taken.push(s.session.client_reference_id.clone().unwrap()));
        assert_eq!(taken.len(), 3, "each deadline is taken once");
        assert!(!store.deadline_passed(1_700_007_200 - 61));
    }

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
