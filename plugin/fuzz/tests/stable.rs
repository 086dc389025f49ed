//! The fuzz target's checks on stable Rust: a fixed-seed random corpus,
//! bounded in count, so it is reproducible and quick enough for CI.
//! `FUZZ_ITERATIONS` and `FUZZ_SEED` change the run.

use std::time::Instant;

/// xorshift64*: enough to spread inputs; no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn random_inputs_hold_every_property() {
    let iterations = env_number("FUZZ_ITERATIONS", 200_000);
    let seed = env_number("FUZZ_SEED", 0x6b6f_736d_6f21);
    let mut rng = Rng(seed.max(1));
    let started = Instant::now();
    let mut input = Vec::with_capacity(512);
    for _ in 0..iterations {
        input.clear();
        let length = (rng.next() % 512) as usize;
        while input.len() < length {
            input.extend_from_slice(&rng.next().to_le_bytes());
        }
        input.truncate(length);
        ringcentral_fuzz::check(&input);
    }
    eprintln!("{iterations} inputs (seed {seed:#x}) in {:.2?}", started.elapsed());
}
