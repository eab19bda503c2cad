//! CLI tests of the message-passing patterns (actor ring, pub/sub, futures, pools).
