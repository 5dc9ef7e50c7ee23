// SPDX-License-Identifier: MIT
// Kernel-style WSK check (C++, Dispatch->X), compiled with wskport::km (-fshort-wchar):
// called from the GoogleTest harness through extern "C".
// MDL chains (issue 14): a chain that comes back to an MDL it already passed (defect 4)
// and a chain shorter than Offset + Length complete STATUS_INVALID_PARAMETER on every
// call that walks one, with nothing sent and nothing consumed; chains of 1, 64, 65,
// max_datagram_buffers and one more one-byte MDLs move whole and in order on streams,
// and datagrams go out and come in whole up to max_datagram_buffers and are refused with
// STATUS_INVALID_PARAMETER above it (defect 3). IPv4 and IPv6.

#include <algorithm>
#include <memory>
#include <vector>

#include "wsk_check_support.hpp"
#include "wskport/buffer.hpp"

namespace {

using namespace wsk_check;

int failures = 0;

// A failed check that also names the MDL count and family it ran with.
#define CHECK_AT(c, n, af)                                                                        \
  do {                                                                                            \
    if (!(c)) {                                                                                   \
      std::printf("FAIL %s:%d %s (case %lu: MDLs or chain number, %s)\n", __FILE__, __LINE__, #c, \
                  static_cast<unsigned long>(n), (af) == AF_INET6 ? "IPv6" : "IPv4");             \
      ++failures;                                                                                 \
    }                                                                                             \
  } while (0)

using Conn = const WSK_PROVIDER_CONNECTION_DISPATCH*;
using Dgram = const WSK_PROVIDER_DATAGRAM_DISPATCH*;

unsigned char pattern(std::size_t i, unsigned seed) {
  return static_cast<unsigned char>((i * 131U + seed * 7U + (i >> 8U)) & 0xFFU);
}
bool is_pattern(const unsigned char* p, std::size_t n, unsigned seed) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != pattern(i, seed)) return false;
  }
  return true;
}

// @p n one-byte MDLs over @p data, linked in order.
struct Chain {
  std::vector<std::unique_ptr<Mdl>> mdls;
  Chain(unsigned char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) mdls.push_back(std::make_unique<Mdl>(data + i, 1));
    for (std::size_t i = 0; i + 1 < n; ++i) mdls[i]->m->Next = mdls[i + 1]->m;
  }
  WSK_BUF buf() const { return WSK_BUF{mdls.front()->m, 0, mdls.size()}; }
};

// Waits for @p op; one still pending after the bound is cancelled (and waited for), so
// that a failing check never leaves an IRP in flight.
bool finished(Op& op, int ms = 5000) {
  if (op.wait(ms)) return true;
  IoCancelIrp(op.irp);
  op.wait();
  return false;
}

// The call completed with STATUS_INVALID_PARAMETER and no bytes. Refusals complete at
// once, so a shorter bound.
bool refused(Op& op) {
  return finished(op, 1000) && op.st() == STATUS_INVALID_PARAMETER && op.info() == 0;
}

SOCKADDR_STORAGE loopback(ADDRESS_FAMILY af) {
  SOCKADDR_STORAGE a{};
  if (af == AF_INET6) {
    IN6ADDR_SETLOOPBACK(reinterpret_cast<PSOCKADDR_IN6>(&a));
  } else {
    IN4ADDR_SETLOOPBACK(reinterpret_cast<PSOCKADDR_IN>(&a));
  }
  return a;
}

struct Client {
  WSK_REGISTRATION reg{};
  WSK_PROVIDER_NPI p{};
  Op op;
  Client() {
    static const WSK_CLIENT_DISPATCH dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
    WSK_CLIENT_NPI npi = {nullptr, &dispatch};
    CHECK(WskRegister(&npi, &reg) == STATUS_SUCCESS);
    CHECK(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &p) == STATUS_SUCCESS);
  }
  ~Client() {
    WskReleaseProviderNPI(&reg);
    WskDeregister(&reg);
  }
  PWSK_SOCKET make(ADDRESS_FAMILY af, USHORT type, ULONG proto, ULONG category) {
    CHECK(p.Dispatch->WskSocket(p.Client, af, type, proto, category, nullptr, nullptr, nullptr,
                                nullptr, nullptr, op.reset()) == STATUS_PENDING);
    CHECK(op.wait() && op.st() == STATUS_SUCCESS);
    return reinterpret_cast<PWSK_SOCKET>(op.info());
  }
  void close(PWSK_SOCKET s) {
    if (s == nullptr) return;
    const auto* basic = static_cast<const WSK_PROVIDER_BASIC_DISPATCH*>(s->Dispatch);
    CHECK(basic->WskCloseSocket(s, op.reset()) == STATUS_PENDING && op.wait());
  }
  // A bound datagram socket; @p where receives its address.
  PWSK_SOCKET udp(ADDRESS_FAMILY af, SOCKADDR_STORAGE& where) {
    PWSK_SOCKET s = make(af, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET);
    const auto* d = static_cast<Dgram>(s->Dispatch);
    where = loopback(af);
    CHECK(d->WskBind(s, reinterpret_cast<PSOCKADDR>(&where), 0, op.reset()) == STATUS_PENDING &&
          op.wait() && op.st() == STATUS_SUCCESS);
    CHECK(d->WskGetLocalAddress(s, reinterpret_cast<PSOCKADDR>(&where), op.reset()) ==
              STATUS_PENDING &&
          op.wait() && op.st() == STATUS_SUCCESS);
    return s;
  }
  // A connected pair over loopback: client (WskSocketConnect) and server (WskAccept).
  void stream_pair(ADDRESS_FAMILY af, PWSK_SOCKET& client, PWSK_SOCKET& server) {
    PWSK_SOCKET ls = make(af, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET);
    const auto* ld = static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(ls->Dispatch);
    SOCKADDR_STORAGE where = loopback(af);
    CHECK(ld->WskBind(ls, reinterpret_cast<PSOCKADDR>(&where), 0, op.reset()) == STATUS_PENDING &&
          op.wait() && op.st() == STATUS_SUCCESS);
    CHECK(ld->WskGetLocalAddress(ls, reinterpret_cast<PSOCKADDR>(&where), op.reset()) ==
              STATUS_PENDING &&
          op.wait());
    Op aop;
    CHECK(ld->WskAccept(ls, 0, nullptr, nullptr, nullptr, nullptr, aop.reset()) == STATUS_PENDING);
    SOCKADDR_STORAGE local = loopback(af);
    CHECK(p.Dispatch->WskSocketConnect(p.Client, SOCK_STREAM, IPPROTO_TCP,
                                       reinterpret_cast<PSOCKADDR>(&local),
                                       reinterpret_cast<PSOCKADDR>(&where), 0, nullptr, nullptr,
                                       nullptr, nullptr, nullptr, op.reset()) == STATUS_PENDING);
    CHECK(op.wait() && op.st() == STATUS_SUCCESS);
    client = reinterpret_cast<PWSK_SOCKET>(op.info());
    CHECK(aop.wait() && aop.st() == STATUS_SUCCESS);
    server = reinterpret_cast<PWSK_SOCKET>(aop.info());
    close(ls);
  }
  // Sends @p n bytes of one buffer on a stream.
  NTSTATUS send_plain(PWSK_SOCKET s, unsigned char* data, std::size_t n) {
    Mdl m(data, static_cast<ULONG>(n));
    WSK_BUF b = {m.m, 0, n};
    CHECK(static_cast<Conn>(s->Dispatch)->WskSend(s, &b, 0, op.reset()) == STATUS_PENDING);
    return finished(op) ? op.st() : STATUS_UNSUCCESSFUL;
  }
  // Receives exactly @p n stream bytes into one buffer (WAITALL).
  bool receive_plain(PWSK_SOCKET s, unsigned char* data, std::size_t n) {
    Mdl m(data, static_cast<ULONG>(n));
    WSK_BUF b = {m.m, 0, n};
    Op r;
    CHECK(static_cast<Conn>(s->Dispatch)->WskReceive(s, &b, WSK_FLAG_WAITALL, r.reset()) ==
          STATUS_PENDING);
    return finished(r) && r.st() == STATUS_SUCCESS && r.info() == n;
  }
  // Receives one datagram into one buffer; returns its length (0 on failure).
  std::size_t receive_datagram(PWSK_SOCKET s, unsigned char* data, std::size_t room) {
    Mdl m(data, static_cast<ULONG>(room));
    WSK_BUF b = {m.m, 0, room};
    Op r;
    CHECK(static_cast<Dgram>(s->Dispatch)
              ->WskReceiveFrom(s, &b, 0, nullptr, nullptr, nullptr, nullptr, r.reset()) ==
          STATUS_PENDING);
    return finished(r) && r.st() == STATUS_SUCCESS ? r.info() : 0;
  }
};

void stream_counts(Client& c, ADDRESS_FAMILY af, std::size_t n) {
  PWSK_SOCKET a = nullptr;
  PWSK_SOCKET b = nullptr;
  c.stream_pair(af, a, b);
  if (a == nullptr || b == nullptr) return;
  std::vector<unsigned char> src(n);
  std::vector<unsigned char> dst(n);
  for (std::size_t i = 0; i < n; ++i) src[i] = pattern(i, 1);
  // WskSend over n MDLs completes only when every byte is taken.
  Chain out(src.data(), n);
  WSK_BUF ob = out.buf();
  Op tx;
  CHECK_AT(static_cast<Conn>(a->Dispatch)->WskSend(a, &ob, 0, tx.reset()) == STATUS_PENDING, n, af);
  CHECK_AT(c.receive_plain(b, dst.data(), n) && is_pattern(dst.data(), n, 1), n, af);
  CHECK_AT(finished(tx) && tx.st() == STATUS_SUCCESS && tx.info() == n, n, af);
  // WskReceive (WAITALL) into n MDLs fills every one, in order.
  for (std::size_t i = 0; i < n; ++i) src[i] = pattern(i, 2);
  std::fill(dst.begin(), dst.end(), static_cast<unsigned char>(0));
  Chain in(dst.data(), n);
  WSK_BUF ib = in.buf();
  Op rx;
  CHECK_AT(static_cast<Conn>(b->Dispatch)->WskReceive(b, &ib, WSK_FLAG_WAITALL, rx.reset()) ==
               STATUS_PENDING,
           n, af);
  CHECK_AT(c.send_plain(a, src.data(), n) == STATUS_SUCCESS, n, af);
  CHECK_AT(finished(rx) && rx.st() == STATUS_SUCCESS && rx.info() == n, n, af);
  CHECK_AT(is_pattern(dst.data(), n, 2), n, af);
  c.close(a);
  c.close(b);
}

void datagram_counts(Client& c, ADDRESS_FAMILY af, std::size_t n) {
  SOCKADDR_STORAGE a_addr{};
  SOCKADDR_STORAGE b_addr{};
  PWSK_SOCKET a = c.udp(af, a_addr);
  PWSK_SOCKET b = c.udp(af, b_addr);
  const auto* ad = static_cast<Dgram>(a->Dispatch);
  const auto* bd = static_cast<Dgram>(b->Dispatch);
  const bool over = n > wskport::max_datagram_buffers;
  std::vector<unsigned char> src(n);
  std::vector<unsigned char> dst(n + 16);
  for (std::size_t i = 0; i < n; ++i) src[i] = pattern(i, 3);
  // WskSendTo over n MDLs: whole, or refused with nothing sent.
  Chain out(src.data(), n);
  WSK_BUF ob = out.buf();
  Op tx;
  CHECK_AT(ad->WskSendTo(a, &ob, 0, reinterpret_cast<PSOCKADDR>(&b_addr), 0, nullptr, tx.reset()) ==
               STATUS_PENDING,
           n, af);
  CHECK_AT(finished(tx), n, af);
  if (over) {
    CHECK_AT(tx.st() == STATUS_INVALID_PARAMETER && tx.info() == 0, n, af);
    unsigned char marker[3] = {pattern(0, 4), pattern(1, 4), pattern(2, 4)};
    Mdl mm(marker, 3);
    WSK_BUF mb = {mm.m, 0, 3};
    CHECK_AT(ad->WskSendTo(a, &mb, 0, reinterpret_cast<PSOCKADDR>(&b_addr), 0, nullptr,
                           tx.reset()) == STATUS_PENDING &&
                 tx.wait() && tx.st() == STATUS_SUCCESS,
             n, af);
    CHECK_AT(c.receive_datagram(b, dst.data(), dst.size()) == 3 && is_pattern(dst.data(), 3, 4), n,
             af);
  } else {
    CHECK_AT(tx.st() == STATUS_SUCCESS && tx.info() == n, n, af);
    CHECK_AT(c.receive_datagram(b, dst.data(), dst.size()) == n && is_pattern(dst.data(), n, 3), n,
             af);
  }
  // WskReceiveFrom into n MDLs: whole, or refused with the datagram left queued.
  for (std::size_t i = 0; i < n; ++i) src[i] = pattern(i, 5);
  Mdl sm(src.data(), static_cast<ULONG>(n));
  WSK_BUF sb = {sm.m, 0, n};
  CHECK_AT(ad->WskSendTo(a, &sb, 0, reinterpret_cast<PSOCKADDR>(&b_addr), 0, nullptr, tx.reset()) ==
                   STATUS_PENDING &&
               tx.wait() && tx.st() == STATUS_SUCCESS,
           n, af);
  std::fill(dst.begin(), dst.end(), static_cast<unsigned char>(0));
  Chain in(dst.data(), n);
  WSK_BUF ib = in.buf();
  ULONG flags = 0xFFFF;
  Op rx;
  CHECK_AT(bd->WskReceiveFrom(b, &ib, 0, nullptr, nullptr, nullptr, &flags, rx.reset()) ==
               STATUS_PENDING,
           n, af);
  CHECK_AT(finished(rx), n, af);
  if (over) {
    CHECK_AT(rx.st() == STATUS_INVALID_PARAMETER && rx.info() == 0, n, af);
    CHECK_AT(c.receive_datagram(b, dst.data(), dst.size()) == n && is_pattern(dst.data(), n, 5), n,
             af);
  } else {
    CHECK_AT(rx.st() == STATUS_SUCCESS && rx.info() == n && (flags & MSG_TRUNC) == 0, n, af);
    CHECK_AT(is_pattern(dst.data(), n, 5), n, af);
  }
  c.close(a);
  c.close(b);
}

// Two 10-byte MDLs pointing at each other (the case), and a chain that ends in a
// zero-length MDL pointing at itself.
struct Cycles {
  unsigned char x[10] = {};
  unsigned char y[10] = {};
  Mdl a{x, 10};
  Mdl b{y, 10};
  Mdl z{y, 0};
  Mdl c{x, 10};
  Mdl short_a{x, 10};
  Mdl short_b{y, 10};
  Cycles() {
    a.m->Next = b.m;
    b.m->Next = a.m;
    c.m->Next = z.m;
    z.m->Next = z.m;
    short_a.m->Next = short_b.m;  // 20 bytes, then the end
  }
  // Chains that must be refused: round the loop (45 bytes, the case; 21 bytes,
  // one byte into the second visit; from offset 5), the zero-length self-loop, and a
  // chain shorter than Offset + Length.
  std::vector<WSK_BUF> bad() {
    return {WSK_BUF{a.m, 0, 45}, WSK_BUF{a.m, 0, 21},       WSK_BUF{a.m, 5, 20},
            WSK_BUF{c.m, 0, 15}, WSK_BUF{short_a.m, 0, 21}, WSK_BUF{short_a.m, 5, 16}};
  }
};

void cycles_on_streams(Client& c, ADDRESS_FAMILY af) {
  PWSK_SOCKET a = nullptr;
  PWSK_SOCKET b = nullptr;
  c.stream_pair(af, a, b);
  if (a == nullptr || b == nullptr) return;
  const auto* cd = static_cast<Conn>(a->Dispatch);
  Cycles cy;
  std::size_t i = 0;
  for (WSK_BUF buf : cy.bad()) {
    CHECK_AT(cd->WskSend(a, &buf, 0, c.op.reset()) == STATUS_PENDING && refused(c.op), i, af);
    CHECK_AT(cd->WskReceive(b, &buf, 0, c.op.reset()) == STATUS_PENDING && refused(c.op), i, af);
    CHECK_AT(
        cd->WskReceive(b, &buf, WSK_FLAG_WAITALL, c.op.reset()) == STATUS_PENDING && refused(c.op),
        i, af);
    ++i;
  }
  // Nothing went out and nothing was consumed: a marker arrives alone, and whole.
  unsigned char marker[4] = {pattern(0, 6), pattern(1, 6), pattern(2, 6), pattern(3, 6)};
  unsigned char got[8] = {};
  CHECK_AT(c.send_plain(a, marker, 4) == STATUS_SUCCESS, 0, af);
  {
    Mdl m(got, 8);
    WSK_BUF g = {m.m, 0, 8};
    Op r;
    CHECK_AT(cd->WskReceive(b, &g, 0, r.reset()) == STATUS_PENDING && finished(r) &&
                 r.st() == STATUS_SUCCESS && r.info() == 4 && is_pattern(got, 4, 6),
             0, af);
  }
  // The final data of a graceful disconnect is checked the same way.
  for (WSK_BUF buf : cy.bad()) {
    CHECK_AT(cd->WskDisconnect(a, &buf, 0, c.op.reset()) == STATUS_PENDING && refused(c.op), 0, af);
  }
  c.close(a);
  c.close(b);
  // WskConnectEx's initial data.
  PWSK_SOCKET ls = c.make(af, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET);
  const auto* ld = static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(ls->Dispatch);
  SOCKADDR_STORAGE where = loopback(af);
  CHECK(ld->WskBind(ls, reinterpret_cast<PSOCKADDR>(&where), 0, c.op.reset()) == STATUS_PENDING &&
        c.op.wait());
  CHECK(ld->WskGetLocalAddress(ls, reinterpret_cast<PSOCKADDR>(&where), c.op.reset()) ==
            STATUS_PENDING &&
        c.op.wait());
  for (WSK_BUF buf : cy.bad()) {
    PWSK_SOCKET s = c.make(af, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET);
    const auto* sd = static_cast<Conn>(s->Dispatch);
    SOCKADDR_STORAGE local = loopback(af);
    CHECK(sd->WskBind(s, reinterpret_cast<PSOCKADDR>(&local), 0, c.op.reset()) == STATUS_PENDING &&
          c.op.wait());
    CHECK_AT(sd->WskConnectEx(s, reinterpret_cast<PSOCKADDR>(&where), &buf, 0, c.op.reset()) ==
                     STATUS_PENDING &&
                 refused(c.op),
             0, af);
    c.close(s);
  }
  c.close(ls);
}

void cycles_on_datagrams(Client& c, ADDRESS_FAMILY af) {
  SOCKADDR_STORAGE a_addr{};
  SOCKADDR_STORAGE b_addr{};
  PWSK_SOCKET a = c.udp(af, a_addr);
  PWSK_SOCKET b = c.udp(af, b_addr);
  const auto* dd = static_cast<Dgram>(a->Dispatch);
  Cycles cy;
  for (WSK_BUF buf : cy.bad()) {
    CHECK_AT(dd->WskSendTo(a, &buf, 0, reinterpret_cast<PSOCKADDR>(&b_addr), 0, nullptr,
                           c.op.reset()) == STATUS_PENDING &&
                 refused(c.op),
             0, af);
    CHECK_AT(dd->WskReceiveFrom(b, &buf, 0, nullptr, nullptr, nullptr, nullptr, c.op.reset()) ==
                     STATUS_PENDING &&
                 refused(c.op),
             0, af);
    WSK_BUF_LIST second = {nullptr, buf};
    WSK_BUF_LIST first = {&second, buf};
    CHECK_AT(dd->WskSendMessages(a, &first, 0, reinterpret_cast<PSOCKADDR>(&b_addr), 0, nullptr,
                                 c.op.reset()) == STATUS_PENDING &&
                 refused(c.op),
             0, af);
  }
  // Nothing went out: the next datagram b sees is the marker.
  unsigned char marker[3] = {pattern(0, 7), pattern(1, 7), pattern(2, 7)};
  Mdl mm(marker, 3);
  WSK_BUF mb = {mm.m, 0, 3};
  CHECK_AT(dd->WskSendTo(a, &mb, 0, reinterpret_cast<PSOCKADDR>(&b_addr), 0, nullptr,
                         c.op.reset()) == STATUS_PENDING &&
               c.op.wait() && c.op.st() == STATUS_SUCCESS,
           0, af);
  unsigned char got[64] = {};
  CHECK_AT(c.receive_datagram(b, got, sizeof got) == 3 && is_pattern(got, 3, 7), 0, af);
  c.close(a);
  c.close(b);
}

}  // namespace

extern "C" int wskport_wsk_check_mdl_cycles(void) {
  failures = 0;
  Client c;
  for (const ADDRESS_FAMILY af : {ADDRESS_FAMILY{AF_INET}, ADDRESS_FAMILY{AF_INET6}}) {
    cycles_on_streams(c, af);
    cycles_on_datagrams(c, af);
  }
  return failures;
}

extern "C" int wskport_wsk_check_mdl_counts(void) {
  failures = 0;
  Client c;
  const std::size_t counts[] = {1, 64, 65, wskport::max_datagram_buffers,
                                wskport::max_datagram_buffers + 1};
  for (const ADDRESS_FAMILY af : {ADDRESS_FAMILY{AF_INET}, ADDRESS_FAMILY{AF_INET6}}) {
    for (const std::size_t n : counts) {
      stream_counts(c, af, n);
      datagram_counts(c, af, n);
    }
  }
  return failures;
}
