//! The connection wrapper of `gateway serve` that lets gateway-core's
//! [`HeadReader`] see every byte hyper reads, so that each request carries its header names
//! as the client spelled them (see [`gateway_core::pipeline::header_spelling`]).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use gateway_core::pipeline::header_spelling::{HeadReader, Spellings};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose incoming bytes also go through a [`HeadReader`].
#[derive(Debug)]
pub struct SpellingIo<S> {
    inner: S,
    reader: HeadReader,
}

impl<S> SpellingIo<S> {
    /// Wraps `inner`, recording into `spellings`.
    pub fn new(inner: S, spellings: Spellings) -> SpellingIo<S> {
        SpellingIo {
            inner,
            reader: HeadReader::new(spellings),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SpellingIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.reader
                .feed(buf.filled().get(before..).unwrap_or_default());
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SpellingIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
