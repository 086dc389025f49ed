//! The bodies the gate hands on: capped in size, and with the bearer token
//! masked should a server or proxy echo it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::{Error as HttpError, WasiBody};

use super::limits::Notes;

/// A body of bytes already in memory.
pub fn full(bytes: Bytes) -> WasiBody {
    Full::new(bytes).map_err(|never| match never {}).boxed_unsync()
}

/// A body that fails once more than `limit` bytes went through it, and says
/// so in the gate's notes before the error travels on.
pub struct CappedBody {
    inner: WasiBody,
    limit: u64,
    seen: u64,
    is_response: bool,
    notes: Notes,
}

impl CappedBody {
    pub fn new(inner: WasiBody, limit: u64, is_response: bool, notes: Notes) -> CappedBody {
        CappedBody { inner, limit, seen: 0, is_response, notes }
    }
}

impl Body for CappedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.seen += data.len() as u64;
            if this.seen > this.limit {
                let what = if this.is_response { "response" } else { "request" };
                this.notes.push(format!("the {what} body is larger than the {} KiB limit", this.limit >> 10));
                let error = if this.is_response {
                    HttpError::HttpResponseBodySize(Some(this.limit))
                } else {
                    HttpError::HttpRequestBodySize(Some(this.limit))
                };
                return Poll::Ready(Some(Err(error)));
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A body with every occurrence of the bearer token replaced by a mask of the
/// same length (so a `Content-Length` stays true). The token may straddle
/// chunks, so the last `token.len() - 1` bytes of each chunk wait for the next.
pub struct TokenScrubbedBody {
    inner: WasiBody,
    token: Bytes,
    mask: Bytes,
    /// Bytes that may be the start of a token, not yet passed on.
    held: Vec<u8>,
    /// Trailers that arrived while bytes were held: they follow those bytes.
    trailers: Option<Frame<Bytes>>,
}

const TOKEN_MASK: &[u8] = b"[token removed by kosmo]";

impl TokenScrubbedBody {
    pub fn new(inner: WasiBody, token: Bytes) -> TokenScrubbedBody {
        let mut mask = if token.len() >= TOKEN_MASK.len() { TOKEN_MASK.to_vec() } else { Vec::new() };
        mask.resize(token.len(), b'*');
        TokenScrubbedBody { inner, token, mask: mask.into(), held: Vec::new(), trailers: None }
    }

    /// The scrubbed bytes of `held` + `chunk` that can no longer be part of a token.
    fn scrub(&mut self, chunk: &[u8]) -> Bytes {
        let mut text = std::mem::take(&mut self.held);
        text.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(text.len());
        let mut start = 0;
        for found in memchr::memmem::find_iter(&text, &self.token[..]) {
            out.extend_from_slice(&text[start..found]);
            out.extend_from_slice(&self.mask);
            start = found + self.token.len();
        }
        let keep = (self.token.len() - 1).min(text.len() - start);
        out.extend_from_slice(&text[start..text.len() - keep]);
        self.held = text[text.len() - keep..].to_vec();
        out.into()
    }
}

impl Body for TokenScrubbedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        if let Some(trailers) = this.trailers.take() {
            return Poll::Ready(Some(Ok(trailers)));
        }
        loop {
            let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => frame,
                // The end, or trailers: what was held is no token's start any more.
                Poll::Ready(None) if !this.held.is_empty() => {
                    return Poll::Ready(Some(Ok(Frame::data(std::mem::take(&mut this.held).into()))));
                }
                other => return other,
            };
            match frame.into_data() {
                Ok(data) => {
                    let clean = this.scrub(&data);
                    if !clean.is_empty() {
                        return Poll::Ready(Some(Ok(Frame::data(clean))));
                    }
                }
                Err(trailers) if this.held.is_empty() => return Poll::Ready(Some(Ok(trailers))),
                Err(trailers) => {
                    this.trailers = Some(trailers);
                    return Poll::Ready(Some(Ok(Frame::data(std::mem::take(&mut this.held).into()))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.held.is_empty() && self.trailers.is_none() && self.inner.is_end_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that yields the given chunks.
    struct Chunks(std::collections::VecDeque<Bytes>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = HttpError;

        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
            Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
        }
    }

    fn scrubbed(chunks: &[&[u8]], token: &str) -> Vec<u8> {
        let inner = Chunks(chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect()).boxed_unsync();
        let body = TokenScrubbedBody::new(inner, Bytes::copy_from_slice(token.as_bytes()));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(body.collect()).unwrap().to_bytes().to_vec()
    }

    #[test]
    fn the_token_is_masked_in_bodies_wherever_chunks_split_it() {
        let token = "SIMAT-0123456789abcdef0123456789";
        let text =
            format!("{{\"echo\":\"Bearer {token}\",\"again\":\"{token}{token}\",\"tail\":\"{}\"}}", &token[..10]);
        let expected = text.replace(token, "[token removed by kosmo]********");
        assert_eq!(expected.len(), text.len(), "the mask keeps the length");
        let bytes = text.as_bytes();
        assert_eq!(scrubbed(&[bytes], token), expected.as_bytes());
        for first in 0..=bytes.len() {
            assert_eq!(scrubbed(&[&bytes[..first], &bytes[first..]], token), expected.as_bytes(), "split at {first}");
            for second in (first..=bytes.len()).step_by(7) {
                let parts: [&[u8]; 3] = [&bytes[..first], &bytes[first..second], &bytes[second..]];
                assert_eq!(scrubbed(&parts, token), expected.as_bytes(), "split at {first} and {second}");
            }
        }
        // One byte at a time, and a token shorter than the mask.
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(scrubbed(&singles, token), expected.as_bytes());
        assert_eq!(scrubbed(&[b"a sim-token b sim-tok", b"en c"], "sim-token"), b"a ********* b ********* c");
    }
}
