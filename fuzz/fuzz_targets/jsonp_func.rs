//! The JSONP callback validator: whatever it accepts is a plain dotted identifier, so the
//! daemon's `NAME(...);` can never become a script of the caller's choosing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provsim::families::vpn_daemon::errors::{MAX_FUNC_CHARS, is_valid_func};

fuzz_target!(|input: &[u8]| {
    let Ok(func) = std::str::from_utf8(input) else { return };
    if is_valid_func(func) {
        assert!(!func.is_empty() && func.len() <= MAX_FUNC_CHARS, "{func:?}");
        assert!(
            func.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.'),
            "{func:?}"
        );
        assert!(!func.starts_with('.') && !func.ends_with('.') && !func.contains(".."), "{func:?}");
        assert!(func.split('.').all(|s| !s.as_bytes()[0].is_ascii_digit()), "{func:?}");
    }
});
