//! Running Arazzo workflows against a live server.
