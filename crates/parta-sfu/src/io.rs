//! The unit's sends: datagrams a pass produces are kept and leave together, in one
//! `sendmmsg` per batch, instead of one system call each.

use std::io::IoSlice;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::sys::socket::{ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage, sendmmsg};

/// A batch this large leaves at once, so the first receivers of a frame for hundreds
/// do not wait for the last one's datagrams to be made.
const BATCH: usize = 64;

/// Datagrams to send, kept until the end of the pass that produced them.
#[derive(Default)]
pub(crate) struct Outbox {
    datagrams: Vec<(SocketAddr, Vec<u8>)>,
}

impl Outbox {
    /// Keeps a datagram; sends the batch when it is full.
    pub fn push(&mut self, socket: &UdpSocket, to: SocketAddr, bytes: Vec<u8>) {
        self.datagrams.push((to, bytes));
        if self.datagrams.len() >= BATCH {
            self.flush(socket);
        }
    }

    /// Sends every datagram kept. One that cannot go (an error of an earlier send to a
    /// client gone away, a full buffer) is dropped as the network would drop it; the
    /// rest still go.
    pub fn flush(&mut self, socket: &UdpSocket) {
        let mut start = 0;
        while start < self.datagrams.len() {
            match send_batch(socket, &self.datagrams[start..]) {
                Ok(sent) => start += sent.max(1),
                Err(Errno::EINTR) => {}
                Err(_) => start += 1,
            }
        }
        self.datagrams.clear();
    }
}

/// One `sendmmsg`: how many of `datagrams` left, from the first.
fn send_batch(socket: &UdpSocket, datagrams: &[(SocketAddr, Vec<u8>)]) -> nix::Result<usize> {
    let slices: Vec<[IoSlice<'_>; 1]> = datagrams.iter().map(|(_, bytes)| [IoSlice::new(bytes)]).collect();
    let addresses: Vec<Option<SockaddrStorage>> =
        datagrams.iter().map(|(to, _)| Some(SockaddrStorage::from(*to))).collect();
    let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(datagrams.len(), None);
    let none: [ControlMessage<'_>; 0] = [];
    let sent = sendmmsg(socket.as_raw_fd(), &mut headers, &slices, &addresses, none, MsgFlags::MSG_DONTWAIT)?;
    Ok(sent.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_reaches_every_address_in_order_and_a_failed_one_does_not_stop_the_rest() {
        let sender = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let b = UdpSocket::bind("127.0.0.1:0").expect("bind");
        a.set_read_timeout(Some(std::time::Duration::from_secs(2))).expect("timeout");
        b.set_read_timeout(Some(std::time::Duration::from_secs(2))).expect("timeout");
        let mut outbox = Outbox::default();
        // More than a batch, alternating receivers; an IPv6 address this IPv4 socket
        // cannot send to sits among them.
        let unreachable: SocketAddr = "[::1]:9".parse().expect("addr");
        for i in 0..(BATCH as u8 + 6) {
            let to = if i == 3 {
                unreachable
            } else if i % 2 == 0 {
                a.local_addr().expect("addr")
            } else {
                b.local_addr().expect("addr")
            };
            outbox.push(&sender, to, vec![i; 10]);
        }
        outbox.flush(&sender);
        let mut buf = [0u8; 32];
        let mut got_a = Vec::new();
        let mut got_b = Vec::new();
        for _ in 0..(BATCH / 2 + 3) {
            let (n, _) = a.recv_from(&mut buf).expect("a receives");
            assert_eq!(n, 10);
            got_a.push(buf[0]);
        }
        for _ in 0..(BATCH / 2 + 2) {
            let (n, _) = b.recv_from(&mut buf).expect("b receives");
            assert_eq!(n, 10);
            got_b.push(buf[0]);
        }
        assert_eq!(got_a, (0..BATCH as u8 + 6).filter(|i| i % 2 == 0).collect::<Vec<_>>());
        assert_eq!(got_b, (0..BATCH as u8 + 6).filter(|i| i % 2 == 1 && *i != 3).collect::<Vec<_>>());
    }
}
