// SPDX-License-Identifier: MIT
// The WSK provider's private objects: a registration (owns one wskport::Provider), a
// km socket (WSK_SOCKET first, then the core socket and the event machinery), the
// per-IRP scratch layout, and the functions the wsk_*.cpp files share.
#pragma once

// C++ and core headers first: the kernel headers define min/max-style macros.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/km/wsk_core_bridge.hpp"
#include "wskport/address.hpp"
#include "wskport/irp.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"

// clang-format off
#include <ntddk.h>
#include <wsk.h>
#include "common/km/km_irp.hpp"
#include "common/km/wsk_buf.hpp"
// clang-format on

namespace wskport::km {

struct KmSocket;

/// One WskRegister. Each registration owns its own Provider (threads, handle table):
/// WskDeregister must wait for exactly this client's sockets and calls, and tearing
/// the provider down at the end is then the proof that nothing of the client is left.
struct Registration {
  static constexpr std::uint32_t live = 0x5753'4B52;  // "WSKR"
  std::uint32_t magic = live;
  std::unique_ptr<Provider> provider;
  WSK_CLIENT_NPI client{};
  std::mutex m;
  std::condition_variable cv;
  unsigned captures = 0;
  std::atomic<std::size_t> calls{0};  // WSK calls in flight: atomic, every call counts
  std::size_t sockets = 0;
  std::atomic<bool> deregistering{false};
  ULONG static_events = 0;  // WSK_SET_STATIC_EVENT_CALLBACKS
  int image = 0;            // the driver image that registered (km_image.hpp), 0 for none
};

/// The registration behind a PWSK_CLIENT, or null.
Registration* registration_from(PWSK_CLIENT client) noexcept;

/// Counts a WSK call (or a lookup) in flight; call_end wakes WskDeregister.
void call_begin(Registration& reg) noexcept;
void call_end(Registration& reg) noexcept;

/// What release_later drops.
enum class Counted { socket, call };
/// Drops a socket or a call of @p reg from a provider thread. The last completion of a
/// socket or lookup runs inside the core's completion funnel, which still touches the
/// provider after the routine returns; counting the object as gone from a posted job
/// instead lets WskDeregister destroy the provider only after that funnel is over (the
/// provider's destructor joins its threads).
void release_later(Registration& reg, Counted what) noexcept;

/// Counts a provider-dispatch call in flight (WskDeregister waits for zero).
class CallScope {
 public:
  explicit CallScope(Registration* r) noexcept;
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  Registration* r_;
};

/// A received chunk: the indication handed to WskReceiveEvent / WskReceiveFromEvent
/// is its first member, so a PWSK_DATA_INDICATION given back to WskRelease is the
/// chunk itself.
struct Chunk {
  union {
    WSK_DATA_INDICATION data;
    WSK_DATAGRAM_INDICATION dgram;
  } ind;
  std::uint32_t magic = 0x4348'4B31;  // "CHK1"
  KmSocket* owner = nullptr;
  unsigned char* block = nullptr;  // the MDL, then the data
  PMDL mdl = nullptr;
  unsigned char* bytes = nullptr;
  std::size_t capacity = 0;
  std::size_t size = 0;    // bytes received
  std::size_t offset = 0;  // bytes already consumed
  unsigned control_flags = 0;
  Address remote{};
  SOCKADDR_STORAGE remote_sa{};
  Chunk* prev = nullptr;  // retained list
  Chunk* next = nullptr;
};

Chunk* chunk_new(KmSocket& s, std::size_t capacity) noexcept;
void chunk_free(Chunk* c) noexcept;

/// The WskportProvider scratch of a km IRP while the WSK layer owns it.
struct IrpArea {
  KmSocket* socket;
  void* extra;  // heap state for a call that needs more than fits here
  PVOID accept_context;
  const void* accept_dispatch;
  PSOCKADDR local_out;
  PSOCKADDR remote_out;
  union {
    MutableBuffer buffers[4];  // an MDL chain of up to 4 MDLs, without allocating
    ConstBuffer cbuffers[4];
    struct {
      WSK_BUF buf;  // a receive the WSK layer serves from its own buffers
      std::size_t done;
      PULONG control_flags;
      ULONG flags;
    } queued;
  } u;
};
static_assert(sizeof(IrpArea) <= 16 * sizeof(ULONG_PTR), "IrpArea must fit WskportProvider");
inline IrpArea& area(PIRP irp) noexcept { return *static_cast<IrpArea*>(provider_area(irp)); }
inline constexpr std::size_t inline_buffers = 4;

/// What the WSK layer knows of a socket's state (KmSocket::state): when its internal
/// IRP may be posted and whether client IRPs may be queued here.
inline constexpr unsigned state_connected = 1U;  // connection/stream: connected
inline constexpr unsigned state_listening = 2U;  // listen bound, or stream after WskListen
inline constexpr unsigned state_bound = 4U;      // datagram: bound

/// A connection request on a conditional-accept listener (SO_CONDITIONAL_ACCEPT), from
/// the moment the transport accepted it until WskInspectEvent or WskInspectComplete
/// decided. User mode cannot hold a TCP handshake open, so the request is an accepted
/// connection the client has not been shown: Reject resets it, Accept hands it on to
/// WskAccept / WskAcceptEvent as any accepted connection. See wsk_inspect.cpp.
struct Inspection {
  enum class Stage { fresh, asking, pended };
  KmSocket* socket = nullptr;  // the hidden connection (a listener's list owns it)
  WSK_INSPECT_ID id{};
  Stage stage = Stage::fresh;
  // A WskInspectComplete that arrived while WskInspectEvent was still returning
  // WskInspectPend (the client may call it from another thread at once).
  WSK_INSPECT_ACTION decided = WskInspectPend;
};

/// What a PWSK_SOCKET points at first, live or closed: socket_from reads only this, so
/// a stale pointer to a closed socket is recognised without reading freed memory (the
/// closed socket's block stays allocated as a tombstone; see bury_socket).
struct KmSocketHead {
  WSK_SOCKET header{};  // first: PWSK_SOCKET == KmSocketHead* == KmSocket*
  static constexpr std::uint32_t live = 0x5753'4B53;  // "WSKS"
  static constexpr std::uint32_t dead = 0x5753'4B44;  // "DKSW": closed, a tombstone
  std::atomic<std::uint32_t> magic{0};
};

/// Event-callback state of a socket. Guarded by KmSocket::m.
struct KmSocket : KmSocketHead {
  KmSocket() noexcept { magic.store(live, std::memory_order_relaxed); }
  Registration* reg = nullptr;
  void* closed_from = nullptr;  // the WskCloseSocket caller, for the verifier's report
  Socket core{};
  ULONG category = 0;
  ADDRESS_FAMILY family = AF_INET;
  USHORT type = SOCK_STREAM;
  PVOID context = nullptr;
  const void* client_dispatch = nullptr;

  std::mutex m;
  ULONG events = 0;         // enabled WSK_EVENT_* bits
  ULONG static_events = 0;  // of those, enabled by WSK_SET_STATIC_EVENT_CALLBACKS
  int busy = 0;             // pump running, internal IRP in flight, posted callback
  int in_callback = 0;      // callbacks running now (for disable -> EVENT_PENDING)
  bool closing = false;
  bool core_closed = false;
  PIRP close_irp = nullptr;
  std::deque<PIRP> disable_waiters;  // disabling IRPs waiting for callbacks to end
  Irp close_core{};

  // Receive side (connection/stream: data; datagram: datagrams; listen: accepts).
  Irp rx_irp{};
  Chunk* rx_chunk = nullptr;
  MutableBuffer rx_buffer{};
  unsigned state = 0;  // state_* bits
  bool rx_posted = false;
  std::deque<Chunk*> buffered;
  std::deque<PIRP> waiting;  // client IRPs served by the WSK layer, in order
  bool eof = false;
  NTSTATUS rx_error = STATUS_SUCCESS;
  bool suspended = false;  // indications stopped until a receive is posted
  bool disconnect_indicated = false;
  bool dead_indicated = false;
  bool pumping = false;
  bool again = false;
  Chunk* retained = nullptr;  // indications the client kept (STATUS_PENDING)

  // Listen side: connections accepted by the internal IRP, not yet handed out.
  std::deque<KmSocket*> accepted;
  bool bound = false;  // WskBind succeeded (options that must come before it)

  // Conditional accept (wsk_inspect.cpp). Listener: the mode, the requests under
  // inspection and the serial numbers of their ids. Connection: the listener watching
  // it while its request is pended (holding one busy count of that listener), and the
  // id it was accepted under (SIO_WSK_QUERY_INSPECT_ID).
  bool conditional = false;
  bool inspect_dead_indicated = false;
  ULONG inspect_serial = 0;
  std::deque<Inspection> inspections;
  KmSocket* inspect_owner = nullptr;
  bool has_inspect_id = false;
  WSK_INSPECT_ID inspect_id{};

  // Datagram sockets.
  bool has_remote = false;  // SIO_WSK_SET_REMOTE_ADDRESS
  Address remote{};
  bool has_sendto = false;  // SIO_WSK_SET_SENDTO_ADDRESS
  Address sendto{};
};

/// The km socket behind a PWSK_SOCKET, or null (the caller refuses the call with
/// STATUS_INVALID_PARAMETER). A socket already closed is recognised by its tombstone
/// and, with the verifier's usage group on, reported naming the socket, @p call (the
/// dispatch function's name, `__func__`) and where the socket was closed.
KmSocket* socket_from(PWSK_SOCKET s, const char* call = nullptr) noexcept;
/// Ends a closed, idle socket: destroys it and leaves a tombstone in its memory, kept
/// in a bounded quarantine (the oldest tombstone is freed when it is full).
void bury_socket(KmSocket& s) noexcept;
/// Verifier (usage): @p call was given @p socket, closed by the WskCloseSocket called
/// from @p closed_from. Reports (which stops the process unless a handler returns).
void closed_socket_used(const void* socket, const void* closed_from, const char* call) noexcept;

/// Creates the km object for a core socket id (registration's socket count +1).
KmSocket* socket_new(Registration& reg, std::uintptr_t id, ULONG category, ADDRESS_FAMILY family,
                     USHORT type, PVOID context, const void* dispatch) noexcept;
/// The dispatch table for a category.
const void* provider_dispatch_for(ULONG category) noexcept;

// ---- IRP plumbing (wsk_socket_setup.cpp) -----------------------------------------

/// Entry of every IRP-taking function: null IRP -> false (caller returns
/// STATUS_INVALID_PARAMETER); otherwise sets up the stack location and marks it pending.
bool enter(PIRP irp) noexcept;
/// Completes an IRP the WSK layer holds (not pending in a core call) through the
/// funnel. Returns STATUS_PENDING, the value WSK calls return after accepting an IRP.
NTSTATUS finish(Registration& reg, PIRP irp, NTSTATUS status, ULONG_PTR information) noexcept;
/// Takes @p irp into the WSK layer's own queue (accepted, cancellable): `held`;
/// `cancelled` when IoCancelIrp raced the call (the caller completes it as cancelled);
/// `refused` when the IRP is still pending from an earlier call (nothing done).
enum class Held { held, cancelled, refused };
Held hold(Registration& reg, PIRP irp, wskport::detail::OpKind kind,
          wskport::detail::CancelRoutine cancel) noexcept;

// ---- addresses (wsk_provider.cpp) -----------------------------------------------

/// A kernel sockaddr (Windows AF_* values) to an Address. STATUS_INVALID_PARAMETER
/// for null, STATUS_INVALID_ADDRESS for an unknown family.
NTSTATUS from_sockaddr(const SOCKADDR* sa, Address& out) noexcept;
/// Writes @p a as a kernel sockaddr; returns its length (0 if unspecified).
ULONG to_sockaddr(const Address& a, SOCKADDR* out) noexcept;
AddressFamily family_of(ADDRESS_FAMILY f) noexcept;

// ---- synchronous core calls with an internal IRP ------------------------------------
NTSTATUS core_sync_status(Irp& irp) noexcept;

// ---- events (wsk_events.cpp) ----------------------------------------------------
/// Runs the socket's event machinery on a provider thread (holds the socket busy until
/// then); pump() is the same.
void post_pump(KmSocket& s) noexcept;
/// Runs the machinery here (a provider thread), first dropping @p release busy counts
/// the caller took; may free the socket when it is closing and idle.
void pump_with(KmSocket& s, int release) noexcept;
/// The cancel routine of client IRPs the layer queued.
void cancel_queued(Irp& core) noexcept;
/// Re-runs the socket's event machinery (receive side) after any state change.
void pump(KmSocket& s) noexcept;
/// Enables/disables events (SO_WSK_EVENT_CALLBACK). See wsk_events.cpp.
NTSTATUS set_events(KmSocket& s, ULONG mask, bool from_static, PIRP irp) noexcept;
/// True when client receives on @p s must be served by the WSK layer (events on, or
/// data it buffered): caller holds s.m.
bool km_engaged(const KmSocket& s) noexcept;
/// Queues a client receive / receive-from / accept for the WSK layer (s.m not held).
NTSTATUS queue_client_irp(KmSocket& s, PIRP irp, wskport::detail::OpKind kind) noexcept;
/// Close: cancels the WSK layer's IRPs, closes the core socket, completes @p irp last.
NTSTATUS close_socket(KmSocket& s, PIRP irp) noexcept;
/// Releases a retained indication list (WskRelease, both forms).
NTSTATUS release_chunks(KmSocket& s, Chunk* first) noexcept;
// ---- conditional accept (wsk_inspect.cpp) ------------------------------------------

/// SO_CONDITIONAL_ACCEPT set (listen or stream socket, before WskBind; enabling needs a
/// WskInspectEvent in the client's table): STATUS_SUCCESS, STATUS_INVALID_DEVICE_STATE
/// (other category, or already bound), STATUS_INVALID_PARAMETER (no WskInspectEvent).
NTSTATUS set_conditional_accept(KmSocket& s, ULONG value) noexcept;
/// SIO_WSK_QUERY_INSPECT_ID: the id a connection was accepted under.
/// STATUS_SUCCESS, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_DEVICE_REQUEST (not a socket
/// accepted through conditional accept).
NTSTATUS query_inspect_id(KmSocket& s, PVOID out, SIZE_T out_size) noexcept;
/// A connection the listener's internal IRP accepted, entering inspection (s.m held).
void inspect_arrived(KmSocket& listener, KmSocket* connection) noexcept;
/// Listener pump: asks WskInspectEvent about the oldest fresh request, or reports a dead
/// listener to it once. True if it did anything. Unlocks @p lock meanwhile.
bool inspect_step(KmSocket& listener, std::unique_lock<std::mutex>& lock) noexcept;
/// Connection pump: a pended request whose peer went away is dropped (WskAbortEvent on
/// the listener). True if it did anything. Unlocks @p lock meanwhile.
bool inspect_watch_step(KmSocket& connection, std::unique_lock<std::mutex>& lock) noexcept;
/// Listener close: resets every request still under inspection (s.m not held).
void inspect_close_all(KmSocket& listener, std::deque<Inspection>& taken) noexcept;

/// Builds a km socket for a connection the core accepted (Information of accept).
KmSocket* adopt_accepted(KmSocket& listener, std::uintptr_t id, PVOID context,
                         const void* dispatch) noexcept;

// ---- dispatch functions (one per table entry) -----------------------------------
//
// Common contract (reference section 1.1, the km contract): a null IRP, a null or
// unknown socket, or an IRP still pending from an earlier call is refused with
// STATUS_INVALID_PARAMETER and nothing is completed. Otherwise the IRP completes exactly
// once, possibly before the call returns (inline, on the caller's thread) or later on a
// provider thread, and the call returns STATUS_PENDING (WskConnect on an unbound socket
// also returns the STATUS_INVALID_DEVICE_STATE it completed). Besides the statuses
// listed, any IRP may complete with STATUS_CANCELLED (IoCancelIrp, WskCloseSocket;
// Information = bytes already placed, normally 0), STATUS_INVALID_DEVICE_STATE (an
// operation the socket's state or category does not allow), STATUS_FILE_FORCED_CLOSED
// (a socket the library tore down) and STATUS_INSUFFICIENT_RESOURCES.

/// WskControlSocket. Without an IRP the result is returned (synchronous); with one it
/// is completed (Information = bytes written to OutputBuffer). SO_WSK_EVENT_CALLBACK
/// (WskSetOption, SOL_SOCKET): enable a mask (no IRP needed) -> STATUS_SUCCESS or
/// STATUS_INVALID_PARAMETER (wrong NPI id, event not of this category, callback
/// missing); disable one event -> STATUS_SUCCESS, or while a callback runs
/// STATUS_EVENT_PENDING (no IRP) / the IRP completes once the callbacks returned.
/// Socket options (IRP required, else STATUS_INVALID_PARAMETER returned): SOL_SOCKET
/// SO_REUSEADDR, SO_EXCLUSIVEADDRUSE, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_BROADCAST;
/// IPPROTO_TCP TCP_NODELAY; IPPROTO_IPV6 IPV6_V6ONLY; ULONG values -> STATUS_SUCCESS,
/// STATUS_INVALID_PARAMETER (unknown option, short input), STATUS_BUFFER_TOO_SMALL
/// (get with a short output), STATUS_INVALID_DEVICE_STATE (must precede bind).
/// SOL_SOCKET SO_CONDITIONAL_ACCEPT (IRP required): see set_conditional_accept.
/// WskIoctl: SIO_WSK_SET_REMOTE_ADDRESS / SIO_WSK_SET_SENDTO_ADDRESS (datagram, IRP
/// required; NULL input clears), SIO_WSK_QUERY_IDEAL_SEND_BACKLOG (SIZE_T out),
/// SIO_WSK_QUERY_INSPECT_ID (no IRP needed; see query_inspect_id); any other code ->
/// STATUS_NOT_SUPPORTED.
NTSTATUS WSKAPI wsk_control_socket(PWSK_SOCKET, WSK_CONTROL_SOCKET_TYPE, ULONG, ULONG, SIZE_T,
                                   PVOID, SIZE_T, PVOID, SIZE_T*, PIRP);
/// WskCloseSocket: completes every IRP pending on the socket (STATUS_CANCELLED), waits
/// for running callbacks and the internal IRPs, then completes the close IRP
/// (STATUS_SUCCESS, Information 0) and frees the socket; nothing concerning the socket
/// follows. Indications still retained are freed with it. Asynchronous.
NTSTATUS WSKAPI wsk_close_socket(PWSK_SOCKET, PIRP);
/// WskBind (listen sockets start listening): STATUS_SUCCESS,
/// STATUS_ADDRESS_ALREADY_ASSOCIATED, STATUS_INVALID_ADDRESS_COMPONENT,
/// STATUS_ACCESS_DENIED, STATUS_INVALID_ADDRESS (family), STATUS_INVALID_PARAMETER (null
/// address, Flags != 0), STATUS_NOT_IMPLEMENTED (UDP listen socket). Completes inline.
NTSTATUS WSKAPI wsk_bind(PWSK_SOCKET, PSOCKADDR, ULONG, PIRP);
/// WskAccept (listen, or stream after WskListen): Information = the new connection
/// socket (events disabled); addresses written when given. Pends until a connection
/// arrives; served before WskAcceptEvent. STATUS_SUCCESS, STATUS_INVALID_PARAMETER
/// (Flags != 0), STATUS_TOO_MANY_OPENED_FILES.
NTSTATUS WSKAPI wsk_accept(PWSK_SOCKET, ULONG, PVOID, const WSK_CLIENT_CONNECTION_DISPATCH*,
                           PSOCKADDR, PSOCKADDR, PIRP);
/// WskInspectComplete (wsk_inspect.cpp): resumes a request WskInspectEvent pended.
/// Accept: it goes on to WskAccept / WskAcceptEvent; Reject: the peer gets a reset.
/// Completes inline: STATUS_SUCCESS; STATUS_INVALID_PARAMETER (null id, an action other
/// than WskInspectAccept / WskInspectReject, or an id that names no pended request:
/// never given, already completed, or dropped (WskAbortEvent), in which case nothing is
/// established); STATUS_INVALID_DEVICE_STATE (conditional accept not enabled).
NTSTATUS WSKAPI wsk_inspect_complete(PWSK_SOCKET, PWSK_INSPECT_ID, WSK_INSPECT_ACTION, PIRP);
/// WskGetLocalAddress / WskGetRemoteAddress: the sockaddr (Windows layout) written to
/// the caller's buffer (SOCKADDR_IN or SOCKADDR_IN6 size); STATUS_SUCCESS,
/// STATUS_INVALID_PARAMETER (null buffer), STATUS_INVALID_DEVICE_STATE (not bound /
/// not connected). Information 0. Completes inline.
NTSTATUS WSKAPI wsk_get_local_address(PWSK_SOCKET, PSOCKADDR, PIRP);
NTSTATUS WSKAPI wsk_get_remote_address(PWSK_SOCKET, PSOCKADDR, PIRP);
/// WskListen (stream, bound): STATUS_SUCCESS, STATUS_ADDRESS_ALREADY_ASSOCIATED.
NTSTATUS WSKAPI wsk_listen(PWSK_SOCKET, PIRP);
/// WskConnect / WskConnectEx (the latter then sends Buffer with the same IRP,
/// Information = bytes sent): STATUS_SUCCESS, STATUS_CONNECTION_REFUSED,
/// STATUS_IO_TIMEOUT, STATUS_NETWORK_UNREACHABLE, STATUS_HOST_UNREACHABLE,
/// STATUS_CONNECTION_ACTIVE, STATUS_NETWORK_BUSY, STATUS_INVALID_ADDRESS,
/// STATUS_INVALID_PARAMETER (null address, Flags != 0, bad WSK_BUF).
NTSTATUS WSKAPI wsk_connect(PWSK_SOCKET, PSOCKADDR, ULONG, PIRP);
NTSTATUS WSKAPI wsk_connect_ex(PWSK_SOCKET, PSOCKADDR, PWSK_BUF, ULONG, PIRP);
/// WskSend / WskSendEx (control data ignored): completes when every byte was taken by
/// the transport, Information = Length. STATUS_SUCCESS, STATUS_NOT_SUPPORTED (a flag
/// other than WSK_FLAG_NODELAY), STATUS_INVALID_PARAMETER (null WSK_BUF, Offset outside
/// the first MDL, Length beyond the chain), STATUS_CONNECTION_RESET,
/// STATUS_CONNECTION_ABORTED.
NTSTATUS WSKAPI wsk_send(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
NTSTATUS WSKAPI wsk_send_ex(PWSK_SOCKET, PWSK_BUF, ULONG, ULONG, PCMSGHDR, PIRP);
/// WskReceive / WskReceiveEx (no control data: *ControlInfoLength = 0): completes on
/// any data, Information = bytes; 0 bytes = the peer's graceful disconnect; a
/// zero-length receive completes with 0 once data is there (and re-arms a
/// WskReceiveEvent that declined data). WSK_FLAG_WAITALL, WSK_FLAG_DRAIN (Length 0).
/// STATUS_SUCCESS, STATUS_NOT_SUPPORTED (unknown or both flags),
/// STATUS_INVALID_PARAMETER (DRAIN with a buffer, bad WSK_BUF),
/// STATUS_CONNECTION_RESET, STATUS_CONNECTION_ABORTED.
NTSTATUS WSKAPI wsk_receive(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
NTSTATUS WSKAPI wsk_receive_ex(PWSK_SOCKET, PWSK_BUF, ULONG, PULONG, PCMSGHDR, PULONG, PIRP);
/// WskDisconnect: graceful (final data first, then FIN) or WSK_FLAG_ABORTIVE (RST;
/// Buffer must be NULL). STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_NOT_SUPPORTED.
NTSTATUS WSKAPI wsk_disconnect(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
/// WskRelease (both forms): synchronous, no IRP. STATUS_SUCCESS, or
/// STATUS_INVALID_PARAMETER (null, or a list that is not this socket's retained
/// indications; nothing is freed then).
NTSTATUS WSKAPI wsk_release(PWSK_SOCKET, PWSK_DATA_INDICATION);
NTSTATUS WSKAPI wsk_release_dgram(PWSK_SOCKET, PWSK_DATAGRAM_INDICATION);
/// WskSendTo (RemoteAddress NULL: the SIO_WSK_SET_SENDTO_ADDRESS, else the
/// SIO_WSK_SET_REMOTE_ADDRESS address): Information = bytes sent. STATUS_SUCCESS,
/// STATUS_INVALID_PARAMETER (no destination, Flags != 0, bad WSK_BUF),
/// STATUS_INVALID_ADDRESS.
NTSTATUS WSKAPI wsk_send_to(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, ULONG, PCMSGHDR, PIRP);
/// WskReceiveFrom: one datagram, Information = bytes placed; a longer datagram is cut
/// (STATUS_BUFFER_OVERFLOW, MSG_TRUNC in *ControlFlags). With a fixed remote address,
/// datagrams from others are dropped. *ControlLength = 0. Served before
/// WskReceiveFromEvent.
NTSTATUS WSKAPI wsk_receive_from(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, PULONG, PCMSGHDR, PULONG,
                                 PIRP);
/// WskSendMessages: each WSK_BUF_LIST entry as one datagram, in order; Information =
/// total bytes; the first failure ends the call with its status.
NTSTATUS WSKAPI wsk_send_messages(PWSK_SOCKET, PWSK_BUF_LIST, ULONG, PSOCKADDR, ULONG, PCMSGHDR,
                                  PIRP);

}  // namespace wskport::km
