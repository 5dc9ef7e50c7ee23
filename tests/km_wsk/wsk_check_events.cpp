// SPDX-License-Identifier: MIT
// Kernel-style WSK check (C++, Dispatch->Basic.X), compiled with wskport::km
// (-fshort-wchar): called from the GoogleTest harness through extern "C".
// Event callbacks end to end: accept event, receive indications over an MDL chain (retention with
// WskRelease, DATA_NOT_ACCEPTED then WskReceive, WskReceive precedence), disconnect event,
// WskAccept cancelled by close, datagram receive-from events and WskSendMessages, address info.

#include "wsk_check_support.hpp"

namespace {

using namespace wsk_check;

static int failures = 0;

// ---- server side events
static std::atomic<int> accepts{0}, receives{0}, disconnects{0}, backlogs{0}, dgrams{0};
static std::atomic<PWSK_SOCKET> accepted{nullptr};
static std::atomic<int> mode{0};  // 0 accept all, 1 pend (retain), 2 not accepted
static std::atomic<PWSK_DATA_INDICATION> retained{nullptr};
static char got[256];
static std::atomic<size_t> got_len{0};
static std::atomic<ULONG> disc_flags{99};

static NTSTATUS WSKAPI OnReceive(PVOID, ULONG, PWSK_DATA_INDICATION ind, SIZE_T bytes,
                                 SIZE_T* acc) {
  receives++;
  if (ind == nullptr) return STATUS_SUCCESS;
  if (mode == 2) return STATUS_DATA_NOT_ACCEPTED;
  size_t off = got_len;
  for (auto* i = ind; i; i = i->Next) {
    char* p = static_cast<char*>(MmGetMdlVirtualAddress(i->Buffer.Mdl)) + i->Buffer.Offset;
    std::memcpy(got + off, p, i->Buffer.Length);
    off += i->Buffer.Length;
  }
  got_len = off;
  if (mode == 1) {
    retained = ind;
    return STATUS_PENDING;
  }
  *acc = bytes;
  return STATUS_SUCCESS;
}
static NTSTATUS WSKAPI OnDisconnect(PVOID, ULONG flags) {
  disc_flags = flags;
  disconnects++;
  return STATUS_SUCCESS;
}
static NTSTATUS WSKAPI OnBacklog(PVOID, SIZE_T ideal) {
  if (ideal) backlogs++;
  return STATUS_SUCCESS;
}
static const WSK_CLIENT_CONNECTION_DISPATCH conn_events = {OnReceive, OnDisconnect, OnBacklog};
static NTSTATUS WSKAPI OnAccept(PVOID, ULONG, PSOCKADDR local, PSOCKADDR remote, PWSK_SOCKET s,
                                PVOID* ctx, const WSK_CLIENT_CONNECTION_DISPATCH** disp) {
  accepts++;
  if (s == nullptr) return STATUS_SUCCESS;
  CHECK(local->sa_family == AF_INET && remote->sa_family == AF_INET);
  accepted = s;
  *ctx = nullptr;
  *disp = &conn_events;
  return STATUS_SUCCESS;
}
static const WSK_CLIENT_LISTEN_DISPATCH listen_events = {OnAccept, nullptr, nullptr};
static std::atomic<PWSK_DATAGRAM_INDICATION> dretained{nullptr};
static NTSTATUS WSKAPI OnReceiveFrom(PVOID, ULONG, PWSK_DATAGRAM_INDICATION ind) {
  dgrams++;
  if (ind == nullptr) return STATUS_SUCCESS;
  CHECK(ind->RemoteAddress->sa_family == AF_INET);
  if (mode == 1) {
    dretained = ind;
    return STATUS_PENDING;
  }
  return STATUS_SUCCESS;
}
static const WSK_CLIENT_DATAGRAM_DISPATCH dgram_events = {OnReceiveFrom};

}  // namespace

extern "C" int wskport_wsk_check_events(void) {
  static const WSK_CLIENT_DISPATCH client_dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
  WSK_CLIENT_NPI npi = {nullptr, &client_dispatch};
  static WSK_REGISTRATION reg;
  CHECK(WskRegister(&npi, &reg) == STATUS_SUCCESS);
  WSK_PROVIDER_NPI p;
  CHECK(WskCaptureProviderNPI(&reg, WSK_INFINITE_WAIT, &p) == STATUS_SUCCESS);
  Op op;

  // Listen socket with the accept event.
  CHECK(p.Dispatch->WskSocket(p.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
                              nullptr, &listen_events, nullptr, nullptr, nullptr,
                              op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  auto* ls = reinterpret_cast<PWSK_SOCKET>(op.info());
  auto* ld = static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(ls->Dispatch);
  SOCKADDR_IN addr;
  IN4ADDR_SETLOOPBACK(&addr);
  CHECK(ld->WskBind(ls, (PSOCKADDR)&addr, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && addr.sin_port != 0);
  WSK_EVENT_CALLBACK_CONTROL ecc = {(PNPIID)&NPI_WSK_INTERFACE_ID,
                                    WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT};
  CHECK(ld->Basic.WskControlSocket(ls, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof ecc,
                                   &ecc, 0, nullptr, nullptr, nullptr) == STATUS_SUCCESS);

  // Client: connect before bind -> INVALID_DEVICE_STATE completed and returned.
  CHECK(p.Dispatch->WskSocket(p.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                              WSK_FLAG_CONNECTION_SOCKET, nullptr, nullptr, nullptr, nullptr,
                              nullptr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  auto* cs = reinterpret_cast<PWSK_SOCKET>(op.info());
  auto* cd = static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH*>(cs->Dispatch);
  CHECK(cd->WskConnect(cs, (PSOCKADDR)&addr, 0, op.reset()) == STATUS_INVALID_DEVICE_STATE);
  CHECK(op.wait() && op.st() == STATUS_INVALID_DEVICE_STATE);
  SOCKADDR_IN any;
  IN4ADDR_SETANY(&any);
  CHECK(cd->WskBind(cs, (PSOCKADDR)&any, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(cd->WskConnect(cs, (PSOCKADDR)&addr, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(wait_for(accepts, 1) && accepted.load() != nullptr);
  auto* as = accepted.load();
  auto* ad = static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH*>(as->Dispatch);

  // Send a 2-MDL chain: receive event (inherited) sees it.
  char a1[] = "hel", a2[] = "lo world";
  Mdl m1(a1, 3), m2(a2, 8);
  m1.m->Next = m2.m;
  WSK_BUF wb = {m1.m, 1, 10};  // "el" + "lo world"
  CHECK(cd->WskSend(cs, &wb, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && op.info() == 10);
  for (int i = 0; i < 5000 && got_len < 10; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(got_len == 10 && std::memcmp(got, "ello world", 10) == 0);
  // Length beyond the chain.
  WSK_BUF bad = {m1.m, 0, 100};
  CHECK(cd->WskSend(cs, &bad, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_INVALID_PARAMETER);
  // A cycle of empty MDLs after the data (a fuzzer's find): refused, not looped on.
  char zero[1];
  Mdl empty(zero, 0);
  empty.m->Next = empty.m;
  Mdl head(a2, 8);
  head.m->Next = empty.m;
  WSK_BUF cyc = {head.m, 0, 20};
  CHECK(cd->WskSend(cs, &cyc, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_INVALID_PARAMETER);
  // Unsupported flag.
  CHECK(cd->WskSend(cs, &wb, 0x100, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_NOT_SUPPORTED);

  // Retention: STATUS_PENDING then WskRelease.
  mode = 1;
  WSK_BUF one = {m2.m, 0, 5};
  CHECK(cd->WskSend(cs, &one, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  for (int i = 0; i < 5000 && retained.load() == nullptr; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(retained.load() != nullptr);
  CHECK(ad->WskRelease(as, retained.load()) == STATUS_SUCCESS);

  // DATA_NOT_ACCEPTED: data waits for a WskReceive.
  mode = 2;
  int before = receives;
  CHECK(cd->WskSend(cs, &one, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(wait_for(receives, before + 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(receives == before + 1);  // no further indications
  char rb[16] = {};
  Mdl rm(rb, sizeof rb);
  WSK_BUF rbuf = {rm.m, 0, sizeof rb};
  Op rop;
  CHECK(ad->WskReceive(as, &rbuf, 0, rop.reset()) == STATUS_PENDING);
  CHECK(rop.wait() && rop.st() == STATUS_SUCCESS && rop.info() == 5 &&
        std::memcmp(rb, "lo wo", 5) == 0);
  mode = 0;

  // Pending WskReceive takes precedence over the event.
  before = receives;
  CHECK(ad->WskReceive(as, &rbuf, 0, rop.reset()) == STATUS_PENDING);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(cd->WskSend(cs, &one, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(rop.wait() && rop.st() == STATUS_SUCCESS && rop.info() == 5);
  CHECK(receives == before);

  // Graceful disconnect -> disconnect event with flags 0.
  CHECK(cd->WskDisconnect(cs, nullptr, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(wait_for(disconnects, 1) && disc_flags == 0);

  // Receive after EOF completes with 0.
  CHECK(ad->WskReceive(as, &rbuf, 0, rop.reset()) == STATUS_PENDING);
  CHECK(rop.wait() && rop.st() == STATUS_SUCCESS && rop.info() == 0);

  // Pending WskAccept on the listener is cancelled by close.
  ecc.EventMask = WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE;
  CHECK(ld->Basic.WskControlSocket(ls, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof ecc,
                                   &ecc, 0, nullptr, nullptr, nullptr) == STATUS_SUCCESS);
  Op aop;
  CHECK(ld->WskAccept(ls, 0, nullptr, nullptr, nullptr, nullptr, aop.reset()) == STATUS_PENDING);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(aop.done == 0);
  CHECK(ld->Basic.WskCloseSocket(ls, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(aop.wait() && aop.st() == STATUS_CANCELLED && aop.info() == 0);
  CHECK(cd->Basic.WskCloseSocket(cs, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(ad->Basic.WskCloseSocket(as, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);

  // Datagram with receive-from events.
  CHECK(p.Dispatch->WskSocket(p.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET,
                              nullptr, &dgram_events, nullptr, nullptr, nullptr,
                              op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  auto* d1 = reinterpret_cast<PWSK_SOCKET>(op.info());
  auto* dd = static_cast<const WSK_PROVIDER_DATAGRAM_DISPATCH*>(d1->Dispatch);
  IN4ADDR_SETLOOPBACK(&addr);
  CHECK(dd->WskBind(d1, (PSOCKADDR)&addr, 0, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  CHECK(dd->WskGetLocalAddress(d1, (PSOCKADDR)&addr, op.reset()) == STATUS_PENDING && op.wait());
  ecc.EventMask = WSK_EVENT_RECEIVE_FROM;
  CHECK(dd->Basic.WskControlSocket(d1, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof ecc,
                                   &ecc, 0, nullptr, nullptr, nullptr) == STATUS_SUCCESS);
  CHECK(p.Dispatch->WskSocket(p.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET,
                              nullptr, nullptr, nullptr, nullptr, nullptr,
                              op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS);
  auto* d2 = reinterpret_cast<PWSK_SOCKET>(op.info());
  IN4ADDR_SETLOOPBACK(&any);
  CHECK(dd->WskBind(d2, (PSOCKADDR)&any, 0, op.reset()) == STATUS_PENDING && op.wait());
  mode = 1;
  CHECK(dd->WskSendTo(d2, &one, 0, (PSOCKADDR)&addr, 0, nullptr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && op.info() == 5);
  CHECK(wait_for(dgrams, 1));
  for (int i = 0; i < 5000 && dretained.load() == nullptr; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(dretained.load() && dretained.load()->Buffer.Length == 5);
  CHECK(dd->WskRelease(d1, dretained.load()) == STATUS_SUCCESS);
  mode = 0;
  // WskSendMessages: two datagrams.
  WSK_BUF_LIST l2 = {nullptr, one};
  WSK_BUF_LIST l1 = {&l2, one};
  CHECK(dd->WskSendMessages(d2, &l1, 0, (PSOCKADDR)&addr, 0, nullptr, op.reset()) ==
        STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && op.info() == 10);
  CHECK(wait_for(dgrams, 3));
  CHECK(dd->Basic.WskCloseSocket(d1, op.reset()) == STATUS_PENDING && op.wait());
  CHECK(dd->Basic.WskCloseSocket(d2, op.reset()) == STATUS_PENDING && op.wait());

  // Address info.
  UNICODE_STRING node, svc;
  RtlInitUnicodeString(&node, L"localhost");
  RtlInitUnicodeString(&svc, L"80");
  PADDRINFOEXW res = nullptr;
  CHECK(p.Dispatch->WskGetAddressInfo(p.Client, &node, &svc, NS_ALL, nullptr, nullptr, &res,
                                      nullptr, nullptr, op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && op.info() == 0 && res != nullptr);
  if (res) p.Dispatch->WskFreeAddressInfo(p.Client, res);
  WCHAR hb[64], sb[16];
  UNICODE_STRING hn = {0, sizeof hb, hb}, sn = {0, sizeof sb, sb};
  SOCKADDR_IN6 a6;
  IN6ADDR_SETLOOPBACK(&a6);
  a6.sin6_port = 0x5000;  // 80
  CHECK(p.Dispatch->WskGetNameInfo(p.Client, (PSOCKADDR)&a6, sizeof a6, &hn, &sn,
                                   NI_NUMERICHOST | NI_NUMERICSERV, nullptr, nullptr,
                                   op.reset()) == STATUS_PENDING);
  CHECK(op.wait() && op.st() == STATUS_SUCCESS && hn.Length == 6 && hb[0] == L':' &&
        sn.Length == 4 && sb[0] == L'8');

  WskReleaseProviderNPI(&reg);
  WskDeregister(&reg);
  return failures;
}
