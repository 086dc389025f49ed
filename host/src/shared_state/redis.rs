//! Shared state in Redis (`KOSMO_STATE_URL=redis://host:port/db`), for kosmo
//! processes on many machines: documents changed in `WATCH`/`MULTI`
//! transactions (read, change in Rust, write; retried if another process
//! wrote between), the store's clock from `TIME` (one clock for the fleet),
//! and a lock (`SET NX PX`, released by a script only by its holder).
//! Keys are `kosmo:<area>:<name>`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::{Client, Connection, RedisResult};

/// The variable that moves shared state into Redis.
pub const STATE_URL_ENV: &str = "KOSMO_STATE_URL";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const PREFIX: &str = "kosmo:";
/// A lock whose holder died is free again after this.
const LOCK_LEASE: Duration = Duration::from_secs(60);
const LOCK_POLL: Duration = Duration::from_millis(20);

pub struct RedisState {
    client: Client,
    /// Where, for messages: the URL without its password.
    shown: String,
    connection: Mutex<Option<Connection>>,
}

impl RedisState {
    pub fn open(url: &str) -> Result<RedisState, String> {
        let shown = match url::Url::parse(url) {
            Ok(mut parsed) => {
                if parsed.password().is_some() {
                    let _ = parsed.set_password(Some("***"));
                }
                parsed.to_string()
            }
            Err(e) => return Err(format!("{}: '{url}' is not a URL: {e}", STATE_URL_ENV)),
        };
        let client = Client::open(url).map_err(|e| format!("{}: {shown}: {e}", STATE_URL_ENV))?;
        Ok(RedisState { client, shown, connection: Mutex::new(None) })
    }

    /// Runs `work` on the process's connection, connecting (again) as needed:
    /// a connection that failed is dropped and the work tried once more.
    fn with_connection<T>(&self, mut work: impl FnMut(&mut Connection) -> RedisResult<T>) -> Result<T, String> {
        let mut slot = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        let mut last_error = String::new();
        for _ in 0..2 {
            if slot.is_none() {
                match self.connect() {
                    Ok(connection) => *slot = Some(connection),
                    Err(e) => {
                        last_error = e.to_string();
                        continue;
                    }
                }
            }
            let connection = slot.as_mut().expect("connected above");
            match work(connection) {
                Ok(value) => return Ok(value),
                Err(e) => {
                    last_error = e.to_string();
                    *slot = None;
                }
            }
        }
        Err(format!("the shared state at {} ({}): {last_error}", self.shown, STATE_URL_ENV))
    }

    fn connect(&self) -> RedisResult<Connection> {
        let connection = self.client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
        connection.set_read_timeout(Some(IO_TIMEOUT))?;
        connection.set_write_timeout(Some(IO_TIMEOUT))?;
        Ok(connection)
    }

    /// See `SharedState::update`: one `WATCH`/`MULTI` transaction.
    pub fn update(&self, key: &str, edit: &mut dyn FnMut(&str, u64) -> (String, Duration)) -> Result<(), String> {
        let key = format!("{PREFIX}{key}");
        self.with_connection(|connection| {
            redis::transaction(connection, &[&key], |connection, pipe| {
                let text: Option<String> = redis::cmd("GET").arg(&key).query(connection)?;
                let now_ms = server_time_ms(connection)?;
                let (new_text, keep) = edit(text.as_deref().unwrap_or_default(), now_ms);
                let keep_ms = keep.as_millis().max(1) as u64;
                pipe.cmd("SET").arg(&key).arg(new_text).arg("PX").arg(keep_ms).query::<Option<redis::Value>>(connection)
            })
            .map(|_: redis::Value| ())
        })
    }

    pub fn get(&self, key: &str) -> Result<Option<String>, String> {
        let key = format!("{PREFIX}{key}");
        self.with_connection(|connection| redis::cmd("GET").arg(&key).query(connection))
    }

    pub fn set(&self, key: &str, value: &str) -> Result<(), String> {
        let key = format!("{PREFIX}{key}");
        self.with_connection(|connection| redis::cmd("SET").arg(&key).arg(value).exec(connection))
    }

    /// Waits up to `wait` for the lock `key`; held until the guard drops (or
    /// its lease runs out, should this process die holding it).
    pub fn lock(self: &Arc<Self>, key: &str, wait: Duration) -> Result<RedisLock, String> {
        let key = format!("{PREFIX}{key}");
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let holder = format!("{}.{nanos}", std::process::id());
        let started = Instant::now();
        loop {
            let taken: Option<redis::Value> = self.with_connection(|connection| {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&holder)
                    .arg("NX")
                    .arg("PX")
                    .arg(LOCK_LEASE.as_millis() as u64)
                    .query(connection)
            })?;
            if taken.is_some() {
                return Ok(RedisLock { state: self.clone(), key, holder });
            }
            if started.elapsed() >= wait {
                return Err(format!(
                    "another kosmo process has held the lock {key} at {} for over {} s",
                    self.shown,
                    wait.as_secs()
                ));
            }
            std::thread::sleep(LOCK_POLL);
        }
    }
}

fn server_time_ms(connection: &mut Connection) -> RedisResult<u64> {
    let (seconds, micros): (u64, u64) = redis::cmd("TIME").query(connection)?;
    Ok(seconds * 1000 + micros / 1000)
}

/// A held Redis lock; dropping it releases it if this process still holds it.
pub struct RedisLock {
    state: Arc<RedisState>,
    key: String,
    holder: String,
}

impl Drop for RedisLock {
    fn drop(&mut self) {
        let release = redis::Script::new(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        );
        let _ =
            self.state.with_connection(|connection| release.key(&self.key).arg(&self.holder).invoke::<i64>(connection));
    }
}
