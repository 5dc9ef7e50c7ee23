// SPDX-License-Identifier: MIT
// The C++ driver's WSK cases: registration, TCP echo through the accept and receive
// events (IPv4, IPv6), connection states and cancellation, receive flags and
// disconnects, receive-event modes, options, datagrams, the five categories, names.
// Declaration order matters in each case: buffers, then IRPs, then event contexts,
// then sockets, so that sockets close (completing whatever is pending) before the IRPs
// and buffers those calls use are freed.
#include "km_cpp_support.hpp"

namespace kmcpp {
namespace {

bool ConnectTo(Test& t, int line, Irp& irp, Socket& s, const Addr& to, PVOID context = nullptr,
               const WSK_CLIENT_CONNECTION_DISPATCH* dispatch = nullptr) {
  if (!Open(t, line, irp, s, to.sa.sa_family, WSK_FLAG_CONNECTION_SOCKET, context, dispatch) ||
      !Bind(t, line, irp, s, Addr::Any(to.sa.sa_family)))
    return false;
  Addr remote = to;
  if (!irp.Done(t, line, s.Conn().WskConnect(s.get(), &remote.sa, 0, irp.Arm()))) return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskConnect", irp.status(), 0);
  return true;
}

bool Listener(Test& t, int line, Irp& irp, Socket& s, ADDRESS_FAMILY family, Addr& addr,
              PVOID context = nullptr, const WSK_CLIENT_LISTEN_DISPATCH* dispatch = nullptr) {
  static const WSK_CLIENT_LISTEN_DISPATCH none{nullptr, nullptr, nullptr};
  return Open(t, line, irp, s, family, WSK_FLAG_LISTEN_SOCKET, context,
              dispatch != nullptr ? dispatch : &none) &&
         Bind(t, line, irp, s, Addr::Loopback(family)) && Local(t, line, irp, s, addr);
}

// client <-> server through WskAccept; the listener is closed afterwards.
bool Pair(Test& t, int line, Irp& irp, ADDRESS_FAMILY family, Socket& client, Socket& server,
          PVOID server_context = nullptr,
          const WSK_CLIENT_CONNECTION_DISPATCH* server_dispatch = nullptr) {
  Irp accept;
  Socket listener;
  Addr addr;
  if (!accept || !Listener(t, line, irp, listener, family, addr)) return false;
  const NTSTATUS st = listener.Listen().WskAccept(listener.get(), 0, server_context,
                                                  server_dispatch, nullptr, nullptr, accept.Arm());
  if (!ConnectTo(t, line, irp, client, addr) || !accept.Done(t, line, st)) return false;
  if (accept.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskAccept", accept.status(), 0);
  server.Adopt(reinterpret_cast<PWSK_SOCKET>(accept.info()), WSK_FLAG_CONNECTION_SOCKET);
  return true;
}

#define KC_PAIR(t, irp, fam, c, s, ...) \
  KC_OK(Pair((t), __LINE__, (irp), (fam), (c), (s), __VA_ARGS__))

bool SkipWithoutIpv6(Test& t, ADDRESS_FAMILY family) {
  return family == AF_INET6 && !g_driver.ipv6 && t.Skip("the host has no IPv6 loopback (::1)");
}

}  // namespace

bool Registration(Test& t) {
  WSK_PROVIDER_NPI npi;
  KC_STATUS(t, WskCaptureProviderNPI(&g_driver.registration, WSK_NO_WAIT, &npi), STATUS_SUCCESS);
  WskReleaseProviderNPI(&g_driver.registration);
  KC_CHECK(t, npi.Dispatch == g_driver.provider.Dispatch);
  KC_CHECK(t, npi.Dispatch->Version >= MAKE_WSK_VERSION(1, 0));

  // A second client with WSK_SET_STATIC_EVENT_CALLBACKS (accept events on every
  // listening socket it creates), deregistered once its sockets are closed.
  struct Client2 {
    WSK_CLIENT_DISPATCH dispatch;
    WSK_CLIENT_NPI client;
    WSK_REGISTRATION registration;
    WSK_PROVIDER_NPI provider;
    ListenEvents events;
  };
  Pool<Client2> k;
  KC_CHECK(t, k);
  k->dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
  k->client = {k.get(), &k->dispatch};
  k->events.Init(STATUS_SUCCESS, nullptr, nullptr);
  KC_STATUS(t, WskRegister(&k->client, &k->registration), STATUS_SUCCESS);
  bool ok = false;
  if (WskCaptureProviderNPI(&k->registration, kWaitMs, &k->provider) == STATUS_SUCCESS) {
    ok = [&]() -> bool {
      Irp irp;
      Socket listener, client, accepted;
      KC_CHECK(t, irp);
      WSK_EVENT_CALLBACK_CONTROL control{&g_wsk_interface_id, WSK_EVENT_ACCEPT};
      KC_STATUS(t,
                k->provider.Dispatch->WskControlClient(
                    k->provider.Client, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(control), &control,
                    0, nullptr, nullptr, nullptr),
                STATUS_SUCCESS);
      KC_OPEN(t, irp, listener, AF_INET, WSK_FLAG_LISTEN_SOCKET, &k->events,
              &ListenEvents::kDispatch, k->provider);
      KC_BIND(t, irp, listener, Addr::Loopback(AF_INET));
      Addr addr;
      KC_LOCAL(t, irp, listener, addr);
      KC_OK(ConnectTo(t, __LINE__, irp, client, addr));
      KC_STATUS(t, WaitFor(&k->events.accepted, kWaitMs), STATUS_SUCCESS);
      KC_EQ(t, InterlockedCompareExchange(&k->events.calls, 0, 0), 1);
      accepted.Adopt(k->events.socket, WSK_FLAG_CONNECTION_SOCKET);
      KC_EQ(t, k->events.local.Port(), addr.Port());
      return true;
    }();
    WskReleaseProviderNPI(&k->registration);
  }
  WskDeregister(&k->registration);
  KC_CHECK(t, ok);
  // Deregistered: no capture succeeds (STATUS_DEVICE_NOT_READY while deregistering).
  KC_CHECK(t, !NT_SUCCESS(WskCaptureProviderNPI(&k->registration, WSK_NO_WAIT, &npi)));
  return true;
}

// Echo: accept event, inherited receive + disconnect events on the accepted socket,
// WskSocketConnect on the client, a 3-MDL chain with an Offset, WAITALL on the way back.
static bool Echo(Test& t, ADDRESS_FAMILY family) {
  if (SkipWithoutIpv6(t, family)) return true;
  static const char kText[] = "0123456789abcdefghijklmnopqrstuvwxyz";  // 36 + NUL
  Buffer chain(40), back(40);
  Irp irp;
  Pool<ConnEvents> conn;
  Pool<ListenEvents> listen;
  Socket listener, client, accepted;
  KC_CHECK(t, chain && back && irp && conn && listen);
  conn->Init();
  listen->Init(STATUS_SUCCESS, conn.get(), &ConnEvents::kDispatch);
  Addr addr;
  KC_OK(Listener(t, __LINE__, irp, listener, family, addr, listen.get(), &ListenEvents::kDispatch));
  KC_STATUS(t, listener.Events(WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT),
            STATUS_SUCCESS);
  Addr any = Addr::Any(family);
  KC_DONE(t, irp,
          g_driver.provider.Dispatch->WskSocketConnect(
              g_driver.provider.Client, SOCK_STREAM, IPPROTO_TCP, &any.sa, &addr.sa, 0, nullptr,
              nullptr, nullptr, nullptr, nullptr, irp.Arm()));
  KC_STATUS(t, irp.status(), STATUS_SUCCESS);
  client.Adopt(reinterpret_cast<PWSK_SOCKET>(irp.info()), WSK_FLAG_CONNECTION_SOCKET);
  KC_CHECK(t, client.get() != nullptr);
  KC_STATUS(t, WaitFor(&listen->accepted, kWaitMs), STATUS_SUCCESS);
  accepted.Adopt(listen->socket, WSK_FLAG_CONNECTION_SOCKET);
  KC_CHECK(t, accepted.get() != nullptr);

  // Three MDLs over `chain`: [0,8) [8,20) [20,40); send 30 bytes from offset 2.
  chain.Put("xx", 2);
  RtlCopyMemory(chain.va() + 2, kText, 36);
  PMDL m2 = IoAllocateMdl(chain.va() + 8, 12, FALSE, FALSE, nullptr);
  PMDL m3 = IoAllocateMdl(chain.va() + 20, 20, FALSE, FALSE, nullptr);
  PMDL m1 = IoAllocateMdl(chain.va(), 8, FALSE, FALSE, nullptr);
  bool sent = false;
  if (m1 != nullptr && m2 != nullptr && m3 != nullptr) {
    MmBuildMdlForNonPagedPool(m1);
    MmBuildMdlForNonPagedPool(m2);
    MmBuildMdlForNonPagedPool(m3);
    m1->Next = m2;
    m2->Next = m3;
    WSK_BUF wb{m1, 2, 30};
    sent = irp.Done(t, __LINE__, client.Conn().WskSend(client.get(), &wb, 0, irp.Arm())) &&
           irp.status() == STATUS_SUCCESS && irp.info() == 30;
  }
  const PMDL mdls[] = {m1, m2, m3};
  for (PMDL m : mdls) {
    if (m != nullptr) IoFreeMdl(m);
  }
  KC_CHECK(t, sent);
  KC_CHECK(t, conn->WaitData(30));
  KC_EQ(t, conn->Length(), 30);
  KC_CHECK(t, RtlCompareMemory(conn->data, kText, 30) == 30);
  // Echo back what the event delivered; the client waits for all of it.
  RtlCopyMemory(back.va(), conn->data, 30);
  KC_SEND(t, irp, accepted, back, 30);
  KC_RECV_ALL(t, irp, client, back, kText, 30);
  // The client's graceful close reaches the server as a graceful disconnect event.
  KC_SUCCESS(t, irp, client.Conn().WskDisconnect(client.get(), nullptr, 0, irp.Arm()));
  KC_STATUS(t, WaitFor(&conn->disconnected, kWaitMs), STATUS_SUCCESS);
  KC_EQ(t, conn->disconnect_flags & WSK_FLAG_ABORTIVE, 0);
  KC_EQ(t, ConnEvents::Read(conn->disconnect_calls), 1);
  return true;
}

bool EchoIpv4(Test& t) { return Echo(t, AF_INET); }
bool EchoIpv6(Test& t) { return Echo(t, AF_INET6); }

bool ConnectionStates(Test& t) {
  Buffer out(16), in(16);
  Irp irp, accept, recv;
  Socket listener, client, server;
  KC_CHECK(t, out && in && irp && accept && recv);
  Addr addr;
  KC_OK(Listener(t, __LINE__, irp, listener, AF_INET, addr));
  // Connect before bind: completed AND returned.
  KC_OPEN(t, irp, client, AF_INET, WSK_FLAG_CONNECTION_SOCKET);
  NTSTATUS st = client.Conn().WskConnect(client.get(), &addr.sa, 0, irp.Arm());
  KC_STATUS(t, st, STATUS_INVALID_DEVICE_STATE);
  KC_DONE(t, irp, st);
  KC_STATUS(t, irp.status(), STATUS_INVALID_DEVICE_STATE);
  KC_EQ(t, irp.info(), 0);
  Addr local;
  KC_DONE(t, irp, client.Conn().WskGetLocalAddress(client.get(), &local.sa, irp.Arm()));
  KC_STATUS(t, irp.status(), STATUS_INVALID_DEVICE_STATE);
  // Bound: WskConnectEx carries the first bytes; WskAccept reports both addresses.
  KC_BIND(t, irp, client, Addr::Any(AF_INET));
  Addr accepted_local, accepted_remote;
  st = listener.Listen().WskAccept(listener.get(), 0, nullptr, nullptr, &accepted_local.sa,
                                   &accepted_remote.sa, accept.Arm());
  out.Put("first", 5);
  WSK_BUF first = out.Wsk(5);
  KC_SUCCESS(t, irp, client.Conn().WskConnectEx(client.get(), &addr.sa, &first, 0, irp.Arm()));
  KC_DONE(t, accept, st);
  KC_STATUS(t, accept.status(), STATUS_SUCCESS);
  server.Adopt(reinterpret_cast<PWSK_SOCKET>(accept.info()), WSK_FLAG_CONNECTION_SOCKET);
  KC_LOCAL(t, irp, client, local);
  KC_EQ(t, accepted_remote.Port(), local.Port());
  KC_EQ(t, accepted_local.Port(), addr.Port());
  Addr peer;
  KC_SUCCESS(t, irp, client.Conn().WskGetRemoteAddress(client.get(), &peer.sa, irp.Arm()));
  KC_EQ(t, peer.Port(), addr.Port());
  KC_RECV_ALL(t, irp, server, in, "first", 5);
  // IoCancelIrp on a pending receive.
  WSK_BUF wb = in.Wsk(16);
  st = server.Conn().WskReceive(server.get(), &wb, 0, recv.Arm());
  KC_CHECK(t, !recv.CompletedWithin(kQuietMs));
  KC_CHECK(t, IoCancelIrp(recv.get()));
  KC_DONE(t, recv, st);
  KC_STATUS(t, recv.status(), STATUS_CANCELLED);
  KC_EQ(t, recv.info(), 0);
  // Abortive disconnect: the peer's pending receive is reset.
  st = server.Conn().WskReceive(server.get(), &wb, 0, recv.Arm());
  KC_SUCCESS(t, irp,
             client.Conn().WskDisconnect(client.get(), nullptr, WSK_FLAG_ABORTIVE, irp.Arm()));
  KC_DONE(t, recv, st);
  KC_STATUS(t, recv.status(), STATUS_CONNECTION_RESET);
  // Close with a pending accept: STATUS_CANCELLED / 0, before the close completes.
  st = listener.Listen().WskAccept(listener.get(), 0, nullptr, nullptr, nullptr, nullptr,
                                   accept.Arm());
  KC_CHECK(t, !accept.CompletedWithin(kQuietMs));
  KC_CHECK(t, listener.Close());
  KC_CHECK(t, accept.CompletedWithin(0));
  KC_DONE(t, accept, st);
  KC_STATUS(t, accept.status(), STATUS_CANCELLED);
  KC_EQ(t, accept.info(), 0);
  return true;
}

bool TransferFlags(Test& t) {
  Buffer out(100), in(100);
  Irp irp, recv;
  Socket client, server;
  KC_CHECK(t, out && in && irp && recv);
  KC_PAIR(t, irp, AF_INET, client, server, nullptr, nullptr);
  // A length without an MDL: STATUS_INVALID_PARAMETER (refused, or completed).
  WSK_BUF bad{nullptr, 0, 4};
  irp.Arm();
  KC_OK(irp.Rejected(t, __LINE__, client.Conn().WskSend(client.get(), &bad, 0, irp.get()),
                     STATUS_INVALID_PARAMETER));
  // A zero-length send.
  WSK_BUF none = out.Wsk(0);
  KC_SUCCESS(t, irp, client.Conn().WskSend(client.get(), &none, 0, irp.Arm()));
  KC_EQ(t, irp.info(), 0);
  // WAITALL: 30 of 100 keep it waiting; 70 more complete it.
  for (ULONG i = 0; i < 100; ++i) out.va()[i] = static_cast<UCHAR>(i * 3);
  WSK_BUF all = in.Wsk(100);
  NTSTATUS st = server.Conn().WskReceive(server.get(), &all, WSK_FLAG_WAITALL, recv.Arm());
  KC_SEND(t, irp, client, out, 30);
  KC_CHECK(t, !recv.CompletedWithin(kQuietMs));
  WSK_BUF rest = out.Wsk(70, 30);
  KC_SUCCESS(t, irp, client.Conn().WskSend(client.get(), &rest, 0, irp.Arm()));
  KC_DONE(t, recv, st);
  KC_STATUS(t, recv.status(), STATUS_SUCCESS);
  KC_EQ(t, recv.info(), 100);
  KC_CHECK(t, RtlCompareMemory(in.va(), out.va(), 100) == 100);
  // Graceful disconnect with final data, then EOF (0 bytes).
  out.Put("last", 4);
  WSK_BUF last = out.Wsk(4);
  KC_SUCCESS(t, irp, server.Conn().WskDisconnect(server.get(), &last, 0, irp.Arm()));
  KC_RECV_ALL(t, irp, client, in, "last", 4);
  KC_SUCCESS(t, irp, client.Conn().WskReceive(client.get(), &all, 0, irp.Arm()));
  KC_EQ(t, irp.info(), 0);
  // DRAIN (length 0) on the server: discards until the client's FIN.
  WSK_BUF drain{nullptr, 0, 0};
  st = server.Conn().WskReceive(server.get(), &drain, WSK_FLAG_DRAIN, recv.Arm());
  KC_SEND(t, irp, client, out, 100);
  KC_CHECK(t, !recv.CompletedWithin(kQuietMs));
  KC_SUCCESS(t, irp, client.Conn().WskDisconnect(client.get(), nullptr, 0, irp.Arm()));
  KC_DONE(t, recv, st);
  KC_STATUS(t, recv.status(), STATUS_SUCCESS);
  return true;
}

bool ReceiveEventModes(Test& t) {
  Buffer out(16), in(16);
  Irp irp;
  Pool<ConnEvents> conn;
  Socket client, server;
  KC_CHECK(t, out && in && irp && conn);
  conn->Init();
  KC_PAIR(t, irp, AF_INET, client, server, conn.get(), &ConnEvents::kDispatch);
  KC_STATUS(t, server.Events(WSK_EVENT_RECEIVE), STATUS_SUCCESS);
  // Retained with STATUS_PENDING, read later, released with WskRelease.
  conn->SetVerdict(STATUS_PENDING);
  out.Put("keep", 4);
  KC_SEND(t, irp, client, out, 4);
  KC_STATUS(t, WaitFor(&conn->received, kWaitMs), STATUS_SUCCESS);
  KC_CHECK(t, conn->retained != nullptr);
  UCHAR copy[8];
  KC_EQ(t, CopyOut(conn->retained->Buffer, copy, sizeof(copy)), 4);
  KC_CHECK(t, RtlCompareMemory(copy, "keep", 4) == 4);
  KC_STATUS(t, server.Conn().WskRelease(server.get(), conn->retained), STATUS_SUCCESS);
  conn->retained = nullptr;
  // Refused: nothing more until a receive; a zero-length one re-arms.
  conn->SetVerdict(STATUS_DATA_NOT_ACCEPTED);
  out.Put("again", 5);
  KC_SEND(t, irp, client, out, 5);
  KC_STATUS(t, WaitFor(&conn->received, kWaitMs), STATUS_SUCCESS);
  KC_STATUS(t, WaitFor(&conn->received, kQuietMs), STATUS_TIMEOUT);
  KC_EQ(t, ConnEvents::Read(conn->receive_calls), 2);
  WSK_BUF zero{nullptr, 0, 0};
  KC_SUCCESS(t, irp, server.Conn().WskReceive(server.get(), &zero, 0, irp.Arm()));
  KC_EQ(t, irp.info(), 0);
  KC_CHECK(t, conn->WaitData(5));
  KC_CHECK(t, RtlCompareMemory(conn->data, "again", 5) == 5);
  KC_EQ(t, ConnEvents::Read(conn->receive_calls), 3);
  return true;
}

static bool SetOption(Test& t, int line, Irp& irp, const Socket& s, ULONG level, ULONG option,
                      ULONG value) {
  if (!irp.Done(t, line,
                s.Basic().WskControlSocket(s.get(), WskSetOption, option, level, sizeof(value),
                                           &value, 0, nullptr, nullptr, irp.Arm())))
    return false;
  return irp.status() == STATUS_SUCCESS || t.FailStatus(line, "WskSetOption", irp.status(), 0);
}

static bool GetOption(Test& t, int line, Irp& irp, const Socket& s, ULONG level, ULONG option,
                      ULONG expected) {
  ULONG value = 0xFFFFFFFFu;
  if (!irp.Done(t, line,
                s.Basic().WskControlSocket(s.get(), WskGetOption, option, level, 0, nullptr,
                                           sizeof(value), &value, nullptr, irp.Arm())))
    return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskGetOption", irp.status(), 0);
  if (irp.info() != sizeof(ULONG)) return t.FailEq(line, "WskGetOption Information", irp.info(), 4);
  return (value != 0) == (expected != 0) || t.FailEq(line, "option value", value, expected);
}

#define KC_SET(t, irp, s, lvl, opt, v) \
  KC_OK(SetOption((t), __LINE__, (irp), (s), (lvl), (opt), (v)))
#define KC_GET(t, irp, s, lvl, opt, v) \
  KC_OK(GetOption((t), __LINE__, (irp), (s), (lvl), (opt), (v)))

bool Options(Test& t) {
  Irp irp;
  Socket a, b, client, server, v6;
  KC_CHECK(t, irp);
  KC_OPEN(t, irp, a, AF_INET, WSK_FLAG_LISTEN_SOCKET);
  KC_GET(t, irp, a, SOL_SOCKET, SO_REUSEADDR, 0);
  KC_SET(t, irp, a, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1);
  KC_BIND(t, irp, a, Addr::Loopback(AF_INET));
  Addr taken;
  KC_LOCAL(t, irp, a, taken);
  KC_OPEN(t, irp, b, AF_INET, WSK_FLAG_LISTEN_SOCKET);
  KC_SET(t, irp, b, SOL_SOCKET, SO_REUSEADDR, 1);
  KC_GET(t, irp, b, SOL_SOCKET, SO_REUSEADDR, 1);
  // Held exclusively: address in use (POSIX), or access denied (Winsock's WSAEACCES
  // for SO_REUSEADDR against SO_EXCLUSIVEADDRUSE; the reference maps it so).
  KC_DONE(t, irp, b.Bind(&taken.sa, irp.Arm()));
  KC_CHECK(
      t, irp.status() == STATUS_ADDRESS_ALREADY_ASSOCIATED || irp.status() == STATUS_ACCESS_DENIED);
  KC_DONE(t, irp, a.Bind(&taken.sa, irp.Arm()));  // bound already
  KC_STATUS(t, irp.status(), STATUS_ADDRESS_ALREADY_ASSOCIATED);
  KC_PAIR(t, irp, AF_INET, client, server, nullptr, nullptr);
  KC_SET(t, irp, client, SOL_SOCKET, SO_KEEPALIVE, 1);
  KC_GET(t, irp, client, SOL_SOCKET, SO_KEEPALIVE, 1);
  KC_SET(t, irp, server, IPPROTO_TCP, TCP_NODELAY, 1);
  KC_GET(t, irp, server, IPPROTO_TCP, TCP_NODELAY, 1);
  if (g_driver.ipv6) {
    KC_OPEN(t, irp, v6, AF_INET6, WSK_FLAG_CONNECTION_SOCKET);
    KC_SET(t, irp, v6, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    KC_GET(t, irp, v6, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  }
  return true;
}

namespace {

struct DgramEvents {
  KEVENT received;
  volatile LONG calls;
  NTSTATUS verdict;
  PWSK_DATAGRAM_INDICATION retained;
  Addr from;
  void Init() {
    KeInitializeEvent(&received, SynchronizationEvent, FALSE);
    verdict = STATUS_PENDING;
  }
  static NTSTATUS WSKAPI OnReceiveFrom(PVOID context, ULONG, PWSK_DATAGRAM_INDICATION list) {
    auto* self = static_cast<DgramEvents*>(context);
    NTSTATUS verdict = STATUS_SUCCESS;
    if (list != nullptr) {
      verdict = self->verdict;
      if (verdict == STATUS_PENDING) self->retained = list;
      if (list->RemoteAddress != nullptr)
        RtlCopyMemory(&self->from, list->RemoteAddress,
                      list->RemoteAddress->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6)
                                                                 : sizeof(SOCKADDR_IN));
      self->verdict = STATUS_SUCCESS;
    }
    InterlockedIncrement(&self->calls);
    KeSetEvent(&self->received, IO_NO_INCREMENT, FALSE);
    return verdict;
  }
  static inline const WSK_CLIENT_DATAGRAM_DISPATCH kDispatch{&OnReceiveFrom};
};

bool Udp(Test& t, int line, Irp& irp, Socket& s, ADDRESS_FAMILY family, Addr& addr,
         PVOID context = nullptr, const WSK_CLIENT_DATAGRAM_DISPATCH* dispatch = nullptr) {
  return Open(t, line, irp, s, family, WSK_FLAG_DATAGRAM_SOCKET, context, dispatch) &&
         Bind(t, line, irp, s, Addr::Loopback(family)) && Local(t, line, irp, s, addr);
}

bool RecvFrom(Test& t, int line, Irp& irp, const Socket& s, const Buffer& b, const char* text,
              ULONG length, const Addr& from) {
  WSK_BUF wb = b.Wsk(16);
  Addr remote{};
  ULONG flags = 0;
  if (!irp.Done(t, line,
                s.Dgram().WskReceiveFrom(s.get(), &wb, 0, &remote.sa, nullptr, nullptr, &flags,
                                         irp.Arm())))
    return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskReceiveFrom", irp.status(), 0);
  if (irp.info() != length) return t.FailEq(line, "WskReceiveFrom Information", irp.info(), length);
  if (!b.Holds(text, length)) return t.Fail(line, "datagram bytes differ");
  return remote.Port() == from.Port() || t.FailEq(line, "sender port", remote.Port(), from.Port());
}

}  // namespace

static bool Datagram(Test& t, ADDRESS_FAMILY family) {
  if (SkipWithoutIpv6(t, family)) return true;
  Buffer out(16), in(16), second(16);
  Irp irp;
  Pool<DgramEvents> ev;
  Socket a, b;
  KC_CHECK(t, out && in && second && irp && ev);
  ev->Init();
  Addr aa, ba;
  KC_OK(Udp(t, __LINE__, irp, a, family, aa));
  KC_OK(Udp(t, __LINE__, irp, b, family, ba, ev.get(), &DgramEvents::kDispatch));
  // WskSendTo with an address, WskReceiveFrom reports the sender.
  out.Put("dgram", 5);
  WSK_BUF wb = out.Wsk(5);
  KC_SUCCESS(t, irp, a.Dgram().WskSendTo(a.get(), &wb, 0, &ba.sa, 0, nullptr, irp.Arm()));
  KC_EQ(t, irp.info(), 5);
  KC_OK(RecvFrom(t, __LINE__, irp, b, in, "dgram", 5, aa));
  // A fixed remote address: WskSendTo without one.
  KC_SUCCESS(
      t, irp,
      a.Basic().WskControlSocket(a.get(), WskIoctl, SIO_WSK_SET_REMOTE_ADDRESS, 0,
                                 family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN),
                                 &ba, 0, nullptr, nullptr, irp.Arm()));
  out.Put("fixed", 5);
  KC_SUCCESS(t, irp, a.Dgram().WskSendTo(a.get(), &wb, 0, nullptr, 0, nullptr, irp.Arm()));
  KC_OK(RecvFrom(t, __LINE__, irp, b, in, "fixed", 5, aa));
  // Two datagrams in one WskSendMessages.
  second.Put("two", 3);
  WSK_BUF_LIST l2{nullptr, second.Wsk(3)};
  WSK_BUF_LIST l1{&l2, out.Wsk(5)};
  KC_SUCCESS(t, irp, a.Dgram().WskSendMessages(a.get(), &l1, 0, &ba.sa, 0, nullptr, irp.Arm()));
  KC_OK(RecvFrom(t, __LINE__, irp, b, in, "fixed", 5, aa));
  KC_OK(RecvFrom(t, __LINE__, irp, b, in, "two", 3, aa));
  // WskReceiveFromEvent: retained with STATUS_PENDING, released with WskRelease.
  KC_STATUS(t, b.Events(WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
  out.Put("event", 5);
  KC_SUCCESS(t, irp, a.Dgram().WskSendTo(a.get(), &wb, 0, &ba.sa, 0, nullptr, irp.Arm()));
  KC_STATUS(t, WaitFor(&ev->received, kWaitMs), STATUS_SUCCESS);
  KC_CHECK(t, ev->retained != nullptr);
  UCHAR copy[8];
  KC_EQ(t, CopyOut(ev->retained->Buffer, copy, sizeof(copy)), 5);
  KC_CHECK(t, RtlCompareMemory(copy, "event", 5) == 5);
  KC_EQ(t, ev->from.Port(), aa.Port());
  KC_STATUS(t, b.Dgram().WskRelease(b.get(), ev->retained), STATUS_SUCCESS);
  ev->retained = nullptr;
  return true;
}

bool DatagramIpv4(Test& t) { return Datagram(t, AF_INET); }
bool DatagramIpv6(Test& t) { return Datagram(t, AF_INET6); }

bool Categories(Test& t) {
  Buffer out(8), in(8);
  Irp irp, accept;
  Pool<ConnEvents> conn;
  Socket basic, stream, peer, got, client, server;
  KC_CHECK(t, out && in && irp && accept && conn);
  conn->Init();
  const ADDRESS_FAMILY families[] = {AF_INET, AF_INET6};
  const ULONG categories[] = {WSK_FLAG_BASIC_SOCKET, WSK_FLAG_LISTEN_SOCKET,
                              WSK_FLAG_CONNECTION_SOCKET, WSK_FLAG_DATAGRAM_SOCKET,
                              WSK_FLAG_STREAM_SOCKET};
  for (ADDRESS_FAMILY family : families) {
    if (family == AF_INET6 && !g_driver.ipv6) continue;
    for (ULONG category : categories) {
      Socket s;
      KC_OPEN(t, irp, s, family, category);
      KC_CHECK(t, s.Close());
    }
  }
  // A basic socket: control and close only.
  KC_OPEN(t, irp, basic, AF_INET, WSK_FLAG_BASIC_SOCKET);
  KC_SET(t, irp, basic, SOL_SOCKET, SO_KEEPALIVE, 1);
  // A stream socket: bind, WskListen, WskAccept.
  KC_OPEN(t, irp, stream, AF_INET, WSK_FLAG_STREAM_SOCKET);
  KC_BIND(t, irp, stream, Addr::Loopback(AF_INET));
  KC_SUCCESS(t, irp, stream.Stream().WskListen(stream.get(), irp.Arm()));
  Addr addr;
  KC_LOCAL(t, irp, stream, addr);
  const NTSTATUS st =
      stream.Stream().WskAccept(stream.get(), 0, nullptr, nullptr, nullptr, nullptr, accept.Arm());
  KC_OK(ConnectTo(t, __LINE__, irp, peer, addr));
  KC_DONE(t, accept, st);
  KC_STATUS(t, accept.status(), STATUS_SUCCESS);
  got.Adopt(reinterpret_cast<PWSK_SOCKET>(accept.info()), WSK_FLAG_CONNECTION_SOCKET);
  KC_CHECK(t, got.get() != nullptr);
  // WskSendBacklogEvent on a connection: the provider tells its ideal backlog.
  KC_PAIR(t, irp, AF_INET, client, server, conn.get(), &ConnEvents::kDispatch);
  KC_STATUS(t, server.Events(WSK_EVENT_SEND_BACKLOG), STATUS_SUCCESS);
  out.Put("backlog", 7);
  KC_SEND(t, irp, server, out, 7);
  KC_STATUS(t, WaitFor(&conn->backlog, kWaitMs), STATUS_SUCCESS);
  KC_CHECK(t, conn->ideal_backlog > 0);
  KC_RECV_ALL(t, irp, client, in, "backlog", 7);
  return true;
}

bool Names(Test& t) {
  Irp irp;
  KC_CHECK(t, irp);
  UNICODE_STRING service = RTL_CONSTANT_STRING(L"443");
  struct Query {
    PCWSTR node;
    int family;
    NTSTATUS expected;
  };
  const Query queries[] = {{L"localhost", AF_UNSPEC, STATUS_SUCCESS},
                           {L"127.0.0.1", AF_INET, STATUS_SUCCESS},
                           {L"wskport-kmtest.invalid", AF_UNSPEC, STATUS_NOT_FOUND}};
  for (const Query& q : queries) {
    UNICODE_STRING node;
    RtlInitUnicodeString(&node, q.node);
    ADDRINFOEXW hints{};
    hints.ai_family = q.family;
    PADDRINFOEXW result = nullptr;
    KC_DONE(t, irp,
            g_driver.provider.Dispatch->WskGetAddressInfo(g_driver.provider.Client, &node, &service,
                                                          NS_ALL, nullptr, &hints, &result, nullptr,
                                                          nullptr, irp.Arm()));
    const NTSTATUS status = irp.status();
    const ULONG_PTR info = irp.info();
    ULONG count = 0;
    bool good = true;
    for (PADDRINFOEXW ai = result; ai != nullptr; ai = ai->ai_next, ++count) {
      const Addr* a = reinterpret_cast<const Addr*>(ai->ai_addr);
      good = good && a != nullptr && a->Port() == 443;
    }
    if (result != nullptr)
      g_driver.provider.Dispatch->WskFreeAddressInfo(g_driver.provider.Client, result);
    KC_STATUS(t, status, q.expected);
    KC_EQ(t, info, 0);
    KC_CHECK(t, good);
    KC_CHECK(t, (q.expected == STATUS_SUCCESS) == (count > 0));
  }
  // Reverse, numeric.
  Addr a = Addr::Loopback(AF_INET, 443);
  WCHAR host[NI_MAXHOST];
  WCHAR serv[NI_MAXSERV];
  UNICODE_STRING node_out{0, sizeof(host), host};
  UNICODE_STRING serv_out{0, sizeof(serv), serv};
  KC_SUCCESS(t, irp,
             g_driver.provider.Dispatch->WskGetNameInfo(
                 g_driver.provider.Client, &a.sa, sizeof(SOCKADDR_IN), &node_out, &serv_out,
                 NI_NUMERICHOST | NI_NUMERICSERV, nullptr, nullptr, irp.Arm()));
  UNICODE_STRING want_host = RTL_CONSTANT_STRING(L"127.0.0.1");
  KC_CHECK(t, RtlEqualUnicodeString(&node_out, &want_host, FALSE));
  KC_CHECK(t, RtlEqualUnicodeString(&serv_out, &service, FALSE));
  return true;
}

}  // namespace kmcpp
