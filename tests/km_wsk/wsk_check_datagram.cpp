// SPDX-License-Identifier: MIT
// Kernel-style WSK check (C++, Dispatch->Basic.X), compiled with wskport::km
// (-fshort-wchar): called from the GoogleTest harness through extern "C".
// Refusals without completion, bad categories, UDP listen bind, transport list, datagram truncation
// (MSG_TRUNC), fixed remote and send-to addresses, dynamic receive-from disable on
// DATA_NOT_ACCEPTED, partial BytesAccepted, address info numeric / not found / bad owner.

#include "wsk_check_support.hpp"

namespace {

using namespace wsk_check;

static int failures = 0;

static std::atomic<int> dgrams{0}, receives{0};
static std::atomic<int> dmode{0};
static NTSTATUS WSKAPI OnReceiveFrom(PVOID, ULONG, PWSK_DATAGRAM_INDICATION ind) {
  if (ind == nullptr) return STATUS_SUCCESS;
  dgrams++;
  return dmode ? STATUS_DATA_NOT_ACCEPTED : STATUS_SUCCESS;
}
static const WSK_CLIENT_DATAGRAM_DISPATCH dgram_events = {OnReceiveFrom};
static std::atomic<size_t> first_len{0};
static NTSTATUS WSKAPI OnReceive(PVOID, ULONG, PWSK_DATA_INDICATION ind, SIZE_T bytes,
                                 SIZE_T* acc) {
  if (!ind) return STATUS_SUCCESS;
  receives++;
  if (receives == 1) {
    first_len = bytes;
    *acc = 2;
    return STATUS_SUCCESS;
  }  // partial
  *acc = bytes;
  return STATUS_SUCCESS;
}
static const WSK_CLIENT_CONNECTION_DISPATCH conn_events = {OnReceive, nullptr, nullptr};
static std::atomic<PWSK_SOCKET> accepted{nullptr};
static NTSTATUS WSKAPI OnAccept(PVOID, ULONG, PSOCKADDR, PSOCKADDR, PWSK_SOCKET s, PVOID* ctx,
                                const WSK_CLIENT_CONNECTION_DISPATCH** disp) {
  if (!s) return STATUS_SUCCESS;
  accepted = s;
  *ctx = nullptr;
  *disp = &conn_events;
  return STATUS_SUCCESS;
}
static const WSK_CLIENT_LISTEN_DISPATCH listen_events = {OnAccept, nullptr, nullptr};

static PWSK_SOCKET make(const WSK_PROVIDER_NPI& p, ADDRESS_FAMILY af, USHORT type, ULONG proto,
                        ULONG cat, const void* disp) {
  Op op;
  CHECK(p.Dispatch->WskSocket(p.Client, af, type, proto, cat, nullptr, disp, nullptr, nullptr,
                              nullptr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  return reinterpret_cast<PWSK_SOCKET>(op.info());
}

}  // namespace

extern "C" int wskport_wsk_check_datagram(void) {
  static const WSK_CLIENT_DISPATCH client_dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
  WSK_CLIENT_NPI npi = {nullptr, &client_dispatch};
  static WSK_REGISTRATION reg;
  CHECK(WskRegister(&npi, &reg) == STATUS_SUCCESS);
  WSK_PROVIDER_NPI p;
  CHECK(WskCaptureProviderNPI(&reg, 100, &p) == STATUS_SUCCESS);
  Op op;
  // Refusals without completion.
  CHECK(p.Dispatch->WskSocket(p.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, 0, nullptr, nullptr,
                              nullptr, nullptr, nullptr, nullptr) == STATUS_INVALID_PARAMETER);
  PADDRINFOEXW res = nullptr;
  CHECK(p.Dispatch->WskGetAddressInfo(p.Client, nullptr, nullptr, NS_ALL, nullptr, nullptr, &res,
                                      nullptr, nullptr, nullptr) == STATUS_INVALID_PARAMETER);
  // Bad category / family.
  CHECK(p.Dispatch->WskSocket(p.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, 3, nullptr, nullptr,
                              nullptr, nullptr, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_INVALID_PARAMETER);
  CHECK(p.Dispatch->WskSocket(p.Client, 99, SOCK_STREAM, IPPROTO_TCP, 2, nullptr, nullptr, nullptr,
                              nullptr, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_NOT_SUPPORTED);
  // UDP listen socket bind -> NOT_IMPLEMENTED.
  auto* ul = make(p, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_LISTEN_SOCKET, nullptr);
  auto* uld = static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(ul->Dispatch);
  SOCKADDR_IN lo;
  IN4ADDR_SETLOOPBACK(&lo);
  CHECK(uld->WskBind(ul, (PSOCKADDR)&lo, 0, op.reset()) == STATUS_PENDING && op.wait() &&
        op.st() == STATUS_NOT_IMPLEMENTED);
  CHECK(uld->Basic.WskCloseSocket(ul, op.reset()) == STATUS_PENDING && op.wait());
  // Transport list.
  WSK_TRANSPORT tl[8];
  SIZE_T got = 0;
  CHECK(p.Dispatch->WskControlClient(p.Client, WSK_TRANSPORT_LIST_QUERY, 0, nullptr, 1, tl, &got,
                                     nullptr) == STATUS_BUFFER_OVERFLOW &&
        got == 4 * sizeof(WSK_TRANSPORT));
  CHECK(p.Dispatch->WskControlClient(p.Client, WSK_TRANSPORT_LIST_QUERY, 0, nullptr, sizeof tl, tl,
                                     nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.info() == 4 * sizeof(WSK_TRANSPORT));

  // Datagram: IRP mode, truncation, fixed remote address.
  auto* d1 = make(p, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, &dgram_events);
  auto* d2 = make(p, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, nullptr);
  auto* d3 = make(p, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, nullptr);
  auto* dd = static_cast<const WSK_PROVIDER_DATAGRAM_DISPATCH*>(d1->Dispatch);
  SOCKADDR_IN a1 = lo, a2 = lo, a3 = lo;
  CHECK(dd->WskBind(d1, (PSOCKADDR)&a1, 0, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(dd->WskBind(d2, (PSOCKADDR)&a2, 0, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(dd->WskBind(d3, (PSOCKADDR)&a3, 0, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(dd->WskGetLocalAddress(d1, (PSOCKADDR)&a1, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(dd->WskGetLocalAddress(d2, (PSOCKADDR)&a2, op.reset()) == STATUS_PENDING && op.wait());
  char msg[] = "0123456789";
  Mdl sm(msg, 10);
  WSK_BUF ten = {sm.m, 0, 10};
  char rb[4];
  Mdl rm(rb, 4);
  WSK_BUF four = {rm.m, 0, 4};
  SOCKADDR_IN from{};
  ULONG cflags = 0, clen = 5;
  Op rop;
  CHECK(dd->WskReceiveFrom(d1, &four, 0, (PSOCKADDR)&from, &clen, nullptr, &cflags, rop.reset()) ==
        STATUS_PENDING);
  CHECK(dd->WskSendTo(d2, &ten, 0, (PSOCKADDR)&a1, 0, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(rop.wait() && rop.st() == STATUS_BUFFER_OVERFLOW && rop.info() == 4 &&
        (cflags & MSG_TRUNC) && from.sin_port == a2.sin_port && clen == 0);
  // Fixed remote (IRP required): datagrams from d3 are dropped.
  CHECK(dd->Basic.WskControlSocket(d1, WskIoctl, SIO_WSK_SET_REMOTE_ADDRESS, 0, sizeof a2, &a2, 0,
                                   nullptr, nullptr, nullptr) == STATUS_INVALID_PARAMETER);
  CHECK(dd->Basic.WskControlSocket(d1, WskIoctl, SIO_WSK_SET_REMOTE_ADDRESS, 0, sizeof a2, &a2, 0,
                                   nullptr, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_SUCCESS);
  char big[16];
  Mdl bm(big, 16);
  WSK_BUF sixteen = {bm.m, 0, 16};
  CHECK(dd->WskReceiveFrom(d1, &sixteen, 0, (PSOCKADDR)&from, nullptr, nullptr, &cflags,
                           rop.reset()) == STATUS_PENDING);
  CHECK(dd->WskSendTo(d3, &ten, 0, (PSOCKADDR)&a1, 0, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait());
  sleep_ms(30);
  CHECK(rop.done == 0);
  CHECK(dd->WskSendTo(d2, &ten, 0, (PSOCKADDR)&a1, 0, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait());
  CHECK(rop.wait() && rop.st() == STATUS_SUCCESS && rop.info() == 10 &&
        from.sin_port == a2.sin_port && cflags == 0);
  // WskSendTo without an address uses SIO_WSK_SET_SENDTO_ADDRESS on d2.
  CHECK(dd->WskSendTo(d2, &ten, 0, nullptr, 0, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_INVALID_PARAMETER);
  CHECK(dd->Basic.WskControlSocket(d2, WskIoctl, SIO_WSK_SET_SENDTO_ADDRESS, 0, sizeof a1, &a1, 0,
                                   nullptr, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait());
  // Events: NOT_ACCEPTED (dynamic) disables the event; the datagram goes to WskReceiveFrom.
  WSK_EVENT_CALLBACK_CONTROL ecc = {(PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE_FROM};
  CHECK(dd->Basic.WskControlSocket(d1, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof ecc,
                                   &ecc, 0, nullptr, nullptr, nullptr) == STATUS_SUCCESS);
  dmode = 1;
  CHECK(dd->WskSendTo(d2, &ten, 0, nullptr, 0, nullptr, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(wait_for(dgrams, 1));
  CHECK(dd->WskSendTo(d2, &ten, 0, nullptr, 0, nullptr, op.reset()) == STATUS_PENDING && op.wait());
  sleep_ms(30);
  CHECK(dgrams == 1);  // disabled
  CHECK(dd->WskReceiveFrom(d1, &sixteen, 0, nullptr, nullptr, nullptr, nullptr, rop.reset()) ==
            STATUS_PENDING &&
        rop.wait() && rop.info() == 10);
  CHECK(dd->WskReceiveFrom(d1, &sixteen, 0, nullptr, nullptr, nullptr, nullptr, rop.reset()) ==
            STATUS_PENDING &&
        rop.wait() && rop.info() == 10);
  for (auto* s : {d1, d2, d3})
    CHECK(dd->Basic.WskCloseSocket(s, op.reset()) == STATUS_PENDING && op.wait());

  // Partial BytesAccepted: the rest waits for a WskReceive, which gets it first.
  auto* ls = make(p, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, &listen_events);
  auto* ld = static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(ls->Dispatch);
  SOCKADDR_IN la = lo;
  CHECK(ld->WskBind(ls, (PSOCKADDR)&la, 0, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(ld->WskGetLocalAddress(ls, (PSOCKADDR)&la, op.reset()) == STATUS_PENDING && op.wait());
  ecc.EventMask = WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE;
  CHECK(ld->Basic.WskControlSocket(ls, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof ecc,
                                   &ecc, 0, nullptr, nullptr, nullptr) == STATUS_SUCCESS);
  SOCKADDR_IN any;
  IN4ADDR_SETANY(&any);
  CHECK(p.Dispatch->WskSocketConnect(p.Client, SOCK_STREAM, IPPROTO_TCP, (PSOCKADDR)&any,
                                     (PSOCKADDR)&la, 0, nullptr, nullptr, nullptr, nullptr, nullptr,
                                     op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_SUCCESS);
  auto* cs = reinterpret_cast<PWSK_SOCKET>(op.info());
  auto* cd = static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH*>(cs->Dispatch);
  for (int i = 0; i < 5000 && !accepted.load(); ++i) sleep_ms(1);
  auto* as = accepted.load();
  CHECK(as != nullptr);
  CHECK(cd->WskSend(cs, &ten, 0, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(wait_for(receives, 1) && first_len == 10);
  sleep_ms(30);
  CHECK(receives == 1);
  CHECK(cd->WskReceive(as, &sixteen, 0, rop.reset()) == STATUS_PENDING && rop.wait() &&
        rop.info() == 8 && std::memcmp(big, "23456789", 8) == 0);
  CHECK(cd->WskSend(cs, &ten, 0, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(wait_for(receives, 2));
  // Connection-level WskRelease with a bogus list.
  WSK_DATA_INDICATION bogus{};
  CHECK(cd->WskRelease(as, &bogus) == STATUS_INVALID_PARAMETER);
  for (auto* s : {cs, as, ls})
    CHECK(cd->Basic.WskCloseSocket(s, op.reset()) == STATUS_PENDING && op.wait());

  // Address info: numeric host, not found, hints family.
  UNICODE_STRING node, svc;
  RtlInitUnicodeString(&node, L"127.0.0.1");
  RtlInitUnicodeString(&svc, L"8080");
  ADDRINFOEXW hints{};
  hints.ai_family = AF_INET;
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  CHECK(p.Dispatch->WskGetAddressInfo(p.Client, &node, &svc, NS_ALL, nullptr, &hints, &res, nullptr,
                                      nullptr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && res && res->ai_family == AF_INET &&
        res->ai_addrlen == sizeof(SOCKADDR_IN) &&
        ((SOCKADDR_IN*)res->ai_addr)->sin_port == 0x901f && res->ai_socktype == SOCK_STREAM);
  p.Dispatch->WskFreeAddressInfo(p.Client, res);
  RtlInitUnicodeString(&node, L"no-such-host.invalid");
  CHECK(p.Dispatch->WskGetAddressInfo(p.Client, &node, nullptr, NS_ALL, nullptr, nullptr, &res,
                                      nullptr, nullptr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_NOT_FOUND && op.info() == 0);
  CHECK(p.Dispatch->WskGetAddressInfo(p.Client, &node, nullptr, NS_ALL, nullptr, nullptr, &res,
                                      nullptr, (PETHREAD)&op, op.reset()) == STATUS_PENDING &&
        op.wait() && op.st() == STATUS_INVALID_PARAMETER);

  WskReleaseProviderNPI(&reg);
  WskDeregister(&reg);
  CHECK(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &p) == STATUS_DEVICE_NOT_READY);
  return failures;
}
