// SPDX-License-Identifier: MIT
// The Winsock backend: Winsock start-up and the extension functions, socket creation,
// the synchronous operations (bind, listen, addresses, options), name resolution, and
// teardown. The operations that wait are in winsock_transfer.cpp and
// winsock_connect.cpp, their channel machinery in winsock_iocp.cpp.
#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <climits>
#include <initializer_list>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "common/core/provider_core.hpp"
#include "wsk_shim/status_map_wsa.hpp"
#include "wsk_shim/winsock_socket.hpp"

namespace wskport::detail::winsock {

namespace {

int native_family(AddressFamily f) noexcept {
  switch (f) {
    case AddressFamily::ipv4:
      return AF_INET;
    case AddressFamily::ipv6:
      return AF_INET6;
    case AddressFamily::unix_domain:
      return AF_UNIX;
    case AddressFamily::unspecified:
      break;
  }
  return AF_UNSPEC;
}

// A NUL-terminated UTF-16 string from the system to UTF-8.
NTSTATUS to_utf8(const wchar_t* text, std::string& out) noexcept {
  const int bytes = ::WideCharToMultiByte(CP_UTF8, 0, text, -1, nullptr, 0, nullptr, nullptr);
  if (bytes <= 0) return status::invalid_parameter;
  try {
    out.resize(static_cast<std::size_t>(bytes));
  } catch (...) {
    return status::insufficient_resources;
  }
  ::WideCharToMultiByte(CP_UTF8, 0, text, -1, out.data(), bytes, nullptr, nullptr);
  out.resize(static_cast<std::size_t>(bytes) - 1);  // the NUL the count included
  return status::success;
}

NTSTATUS set_int(WinSocket& s, int level, int name, int value) noexcept {
  if (::setsockopt(s.handle, level, name, reinterpret_cast<const char*>(&value),
                   static_cast<int>(sizeof value)) != 0) {
    return status_for_error(s, ::WSAGetLastError());
  }
  return status::success;
}

// Winsock writes some options narrower than an int (Wine, for one, a single byte for
// IPV6_V6ONLY), so the value starts zeroed and a boolean is read as "non-zero".
NTSTATUS get_int(WinSocket& s, int level, int name, std::uint32_t& out, bool boolean) noexcept {
  int v = 0;
  int len = static_cast<int>(sizeof v);
  if (::getsockopt(s.handle, level, name, reinterpret_cast<char*>(&v), &len) != 0) {
    return status_for_error(s, ::WSAGetLastError());
  }
  if (boolean) {
    out = v != 0 ? 1U : 0U;
  } else {
    out = static_cast<std::uint32_t>(v);
  }
  return status::success;
}

NTSTATUS query_name(WinSocket& s, Address& out, bool peer) noexcept {
  if (s.native_closed) {
    // After an abortive disconnect the handle is gone. The local address was kept; there
    // is no peer any more (POSIX getpeername: ENOTCONN).
    if (peer) return status::invalid_connection;
    if (!s.have_cached_local) return status::invalid_device_state;
    out = s.cached_local;
    return status::success;
  }
  sockaddr_storage ss{};
  int len = static_cast<int>(sizeof ss);
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  const int rc = peer ? ::getpeername(s.handle, sa, &len) : ::getsockname(s.handle, sa, &len);
  if (rc != 0) return status_for_error(s, ::WSAGetLastError());
  return Address::from_native(&ss, static_cast<std::size_t>(len), out);
}

// The largest datagram a datagram socket can send: SO_MAX_MSG_SIZE, or the UDP limit
// of its IP version (65535 minus the IPv4 and UDP headers, or minus the UDP header for
// IPv6, whose payload length does not count the IPv6 header).
std::size_t max_datagram_size(SOCKET handle, AddressFamily family) noexcept {
  unsigned int v = 0;
  int len = static_cast<int>(sizeof v);
  if (::getsockopt(handle, SOL_SOCKET, SO_MAX_MSG_SIZE, reinterpret_cast<char*>(&v), &len) == 0 &&
      v > 0 && v <= 65535U) {
    return v;
  }
  return family == AddressFamily::ipv6 ? 65527U : 65507U;
}

// Loads AcceptEx, ConnectEx and GetAcceptExSockaddrs through a throw-away TCP socket.
template <class Fn>
bool load_extension(SOCKET s, GUID guid, Fn& out) noexcept {
  DWORD bytes = 0;
  return ::WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, static_cast<DWORD>(sizeof guid),
                    &out, static_cast<DWORD>(sizeof out), &bytes, nullptr, nullptr) == 0 &&
         out != nullptr;
}

bool load_extensions(Runtime& rt) noexcept {
  for (const int family : {AF_INET, AF_INET6}) {
    int error = 0;
    const SOCKET s = open_socket(family, SOCK_STREAM, IPPROTO_TCP, error);
    if (s == INVALID_SOCKET) continue;
    const bool ok = load_extension(s, WSAID_ACCEPTEX, rt.accept_ex) &&
                    load_extension(s, WSAID_CONNECTEX, rt.connect_ex) &&
                    load_extension(s, WSAID_GETACCEPTEXSOCKADDRS, rt.get_accept_ex_sockaddrs);
    ::closesocket(s);
    if (ok) return true;
  }
  return false;
}

class WinsockBackend final : public Backend {
 public:
  explicit WinsockBackend(boost::asio::io_context& io) noexcept : rt_(io) {}
  ~WinsockBackend() override {
    if (started_) ::WSACleanup();
  }
  WinsockBackend(const WinsockBackend&) = delete;
  WinsockBackend& operator=(const WinsockBackend&) = delete;

  /// WSAStartup and the extension functions; false if Winsock is not usable.
  bool start() noexcept {
    WSADATA data{};
    if (::WSAStartup(MAKEWORD(2, 2), &data) != 0) return false;
    started_ = true;
    return load_extensions(rt_);
  }

  std::string_view name() const noexcept override { return "winsock"; }

  SocketImpl* create(ProviderCore& core, const SocketParams& p, NTSTATUS& st) noexcept override {
    const int type = p.type == SocketType::stream ? SOCK_STREAM : SOCK_DGRAM;
    int error = 0;
    const SOCKET handle =
        open_socket(native_family(p.family), type, static_cast<int>(p.protocol), error);
    if (handle == INVALID_SOCKET) {
      st = wsa::status_from_wsa(error);
      return nullptr;
    }
    auto* s = new (std::nothrow) WinSocket(core, p, handle, rt_);
    if (s == nullptr) {
      ::closesocket(handle);
      st = status::insufficient_resources;
      return nullptr;
    }
    if (const auto a = associate(rt_, handle); !nt_success(a)) {
      s->release();  // closes the handle
      st = a;
      return nullptr;
    }
    if (p.family == AddressFamily::ipv6) {
      // Windows makes IPv6 sockets v6-only by default already; said explicitly so that
      // every Winsock (Wine's included) and the POSIX backend agree. Dual stack is an
      // explicit ipv6_only = 0.
      const DWORD on = 1;
      ::setsockopt(handle, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&on),
                   static_cast<int>(sizeof on));
    }
    if (p.type == SocketType::datagram) {
      // An ICMP port unreachable for an earlier send_to would fail the next
      // receive_from with WSAECONNRESET. POSIX sockets that are not connected never see
      // it, and WSK datagram sockets are never connected: turn it off so that both
      // backends agree.
      BOOL report = FALSE;
      DWORD bytes = 0;
      ::WSAIoctl(handle, wsa::sio_udp_connreset, &report, static_cast<DWORD>(sizeof report),
                 nullptr, 0, &bytes, nullptr, nullptr);
      s->max_datagram = max_datagram_size(handle, p.family);
    }
    st = status::success;
    return s;
  }

  NTSTATUS bind(SocketImpl& base, const Address& local) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    sockaddr_storage ss{};
    const auto len = local.to_native(&ss, sizeof ss);
    if (len == 0) return status::invalid_address;
    if (::bind(s.handle, reinterpret_cast<const sockaddr*>(&ss), static_cast<int>(len)) != 0) {
      return status_for_error(s, ::WSAGetLastError());
    }
    return status::success;
  }

  NTSTATUS listen(SocketImpl& base) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    if (::listen(s.handle, s.backlog) != 0) return status_for_error(s, ::WSAGetLastError());
    return status::success;
  }

  NTSTATUS local_address(SocketImpl& base, Address& out) noexcept override {
    return query_name(static_cast<WinSocket&>(base), out, false);
  }

  NTSTATUS remote_address(SocketImpl& base, Address& out) noexcept override {
    return query_name(static_cast<WinSocket&>(base), out, true);
  }

  NTSTATUS set_option(SocketImpl& base, SocketOption option,
                      std::uint32_t value) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    if (option == SocketOption::listen_backlog) {
      s.backlog = static_cast<int>(value);  // the front end capped it at INT_MAX
      return status::success;
    }
    // After an abortive disconnect the handle is gone (see abort_connection), and the
    // connection's options with it. (The POSIX backend keeps the fd and still answers.)
    if (s.native_closed) return status::connection_aborted;
    const int on = value != 0 ? 1 : 0;
    switch (option) {
      case SocketOption::reuse_address:
        return set_int(s, SOL_SOCKET, SO_REUSEADDR, on);
      case SocketOption::exclusive_address_use:
        return set_int(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, on);
      case SocketOption::keep_alive:
        return set_int(s, SOL_SOCKET, SO_KEEPALIVE, on);
      case SocketOption::no_delay: {
        const auto st = set_int(s, IPPROTO_TCP, TCP_NODELAY, on);
        if (nt_success(st)) s.no_delay = on != 0;
        return st;
      }
      case SocketOption::ipv6_only:
        return set_int(s, IPPROTO_IPV6, IPV6_V6ONLY, on);
      case SocketOption::receive_buffer:
        return set_int(s, SOL_SOCKET, SO_RCVBUF, static_cast<int>(value));
      case SocketOption::send_buffer:
        return set_int(s, SOL_SOCKET, SO_SNDBUF, static_cast<int>(value));
      case SocketOption::broadcast:
        return set_int(s, SOL_SOCKET, SO_BROADCAST, on);
      case SocketOption::listen_backlog:
        break;
    }
    return status::invalid_parameter;
  }

  NTSTATUS get_option(SocketImpl& base, SocketOption option,
                      std::uint32_t& value) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    if (option == SocketOption::listen_backlog) {
      value = static_cast<std::uint32_t>(s.backlog);
      return status::success;
    }
    if (s.native_closed) return status::connection_aborted;
    switch (option) {
      case SocketOption::reuse_address:
        return get_int(s, SOL_SOCKET, SO_REUSEADDR, value, true);
      case SocketOption::exclusive_address_use:
        return get_int(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, value, true);
      case SocketOption::keep_alive:
        return get_int(s, SOL_SOCKET, SO_KEEPALIVE, value, true);
      case SocketOption::no_delay:
        return get_int(s, IPPROTO_TCP, TCP_NODELAY, value, true);
      case SocketOption::ipv6_only:
        return get_int(s, IPPROTO_IPV6, IPV6_V6ONLY, value, true);
      case SocketOption::receive_buffer:
        return get_int(s, SOL_SOCKET, SO_RCVBUF, value, false);
      case SocketOption::send_buffer:
        return get_int(s, SOL_SOCKET, SO_SNDBUF, value, false);
      case SocketOption::broadcast:
        return get_int(s, SOL_SOCKET, SO_BROADCAST, value, true);
      case SocketOption::listen_backlog:
        break;
    }
    return status::invalid_parameter;
  }

  native_handle_t native_handle(SocketImpl& base) noexcept override {
    // SOCKET is an unsigned pointer-sized value; INVALID_SOCKET reads as -1.
    return static_cast<native_handle_t>(static_cast<WinSocket&>(base).handle);
  }

  Start accept(SocketImpl& base, Irp& irp) noexcept override {
    return enqueue(static_cast<WinSocket&>(base), irp);
  }
  Start connect(SocketImpl& base, const Address& remote, Irp& irp) noexcept override {
    return begin_connect(static_cast<WinSocket&>(base), remote, irp);
  }
  Start send(SocketImpl& base, Irp& irp) noexcept override {
    return enqueue(static_cast<WinSocket&>(base), irp);
  }
  Start receive(SocketImpl& base, Irp& irp) noexcept override {
    return enqueue(static_cast<WinSocket&>(base), irp);
  }
  Start send_to(SocketImpl& base, Irp& irp) noexcept override {
    return enqueue(static_cast<WinSocket&>(base), irp);
  }
  Start receive_from(SocketImpl& base, Irp& irp) noexcept override {
    return enqueue(static_cast<WinSocket&>(base), irp);
  }

  Start disconnect(SocketImpl& base, Irp& irp, IrpList& others) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    if ((IrpAccess::op(irp).flags & disconnect_flags::abortive) == 0) return enqueue(s, irp);
    abort_connection(s, others);
    return Start::done(status::success);
  }

  NTSTATUS resolve(const std::string& node, std::uint16_t port, AddressFamily family,
                   std::vector<Address>& out) noexcept override {
    // GetAddrInfoW takes UTF-16; the node is UTF-8 (as on POSIX, where getaddrinfo
    // passes the bytes on). Bytes that are not UTF-8 name no host.
    const int chars = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, node.data(),
                                            static_cast<int>(node.size()), nullptr, 0);
    if (chars <= 0) return status::not_found;
    std::wstring wide;
    try {
      wide.resize(static_cast<std::size_t>(chars));
    } catch (...) {
      return status::insufficient_resources;
    }
    ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, node.data(), static_cast<int>(node.size()),
                          wide.data(), chars);
    ADDRINFOW hints{};
    hints.ai_family = native_family(family);
    // One entry per address: without a socket type each one comes per type.
    hints.ai_socktype = SOCK_STREAM;
    ADDRINFOW* list = nullptr;
    const int rc = ::GetAddrInfoW(wide.c_str(), nullptr, &hints, &list);
    if (rc != 0) return wsa::status_from_wsa(rc);
    NTSTATUS st = status::success;
    try {
      for (const ADDRINFOW* ai = list; ai != nullptr; ai = ai->ai_next) {
        Address a;
        if (!nt_success(Address::from_native(ai->ai_addr, ai->ai_addrlen, a))) continue;
        a.set_port(port);
        bool seen = false;
        for (const auto& b : out) seen = seen || b == a;
        if (!seen) out.push_back(a);
      }
    } catch (...) {
      st = status::insufficient_resources;
    }
    ::FreeAddrInfoW(list);
    if (nt_success(st) && out.empty()) st = status::not_found;
    return st;
  }

  NTSTATUS lookup_name(const Address& address, unsigned flags, std::string* host,
                       std::string* service) noexcept override {
    SOCKADDR_STORAGE sa{};
    const std::size_t len = address.to_native(&sa, sizeof sa);
    if (len == 0) return status::invalid_address;
    int native = 0;
    if ((flags & name_flags::no_fqdn) != 0) native |= NI_NOFQDN;
    if ((flags & name_flags::numeric_host) != 0) native |= NI_NUMERICHOST;
    if ((flags & name_flags::name_required) != 0) native |= NI_NAMEREQD;
    if ((flags & name_flags::numeric_service) != 0) native |= NI_NUMERICSERV;
    if ((flags & name_flags::datagram) != 0) native |= NI_DGRAM;
    wchar_t h[NI_MAXHOST];
    wchar_t v[NI_MAXSERV];
    const int rc = ::GetNameInfoW(reinterpret_cast<const SOCKADDR*>(&sa), static_cast<int>(len),
                                  host != nullptr ? h : nullptr, host != nullptr ? NI_MAXHOST : 0,
                                  service != nullptr ? v : nullptr,
                                  service != nullptr ? NI_MAXSERV : 0, native);
    if (rc != 0) return wsa::status_from_wsa(rc == SOCKET_ERROR ? ::WSAGetLastError() : rc);
    // The names come back in UTF-16; the core's strings are UTF-8, as resolve() takes.
    NTSTATUS st = status::success;
    if (host != nullptr) st = to_utf8(h, *host);
    if (nt_success(st) && service != nullptr) st = to_utf8(v, *service);
    return st;
  }

  void quiesce(SocketImpl& base, NTSTATUS pending_status, IrpList& out) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    fail_waiting(s, Dir::read, pending_status, out);
    fail_waiting(s, Dir::write, pending_status, out);
    // A head in flight is the OS's: completion_status and continue_step answer
    // closed_status for it once the socket is forced, even before the handle closes.
    s.closed_status[0] = s.closed_status[1] = pending_status;
  }

  void teardown(SocketImpl& base, NTSTATUS pending_status, IrpList& out) noexcept override {
    auto& s = static_cast<WinSocket&>(base);
    // IRPs waiting behind the heads are ours to list; a head with a call in flight is
    // the OS's until its aborted packet arrives (on_completion then reports
    // pending_status through closed_status).
    fail_waiting(s, Dir::read, pending_status, out);
    fail_waiting(s, Dir::write, pending_status, out);
    // WSK's close is abortive unless both directions were already shut down.
    const bool graceful = !s.is_stream() || !s.connected || s.aborted || (s.fin_sent && s.eof_seen);
    close_native(s, !graceful, pending_status, pending_status);
  }

 private:
  Runtime rt_;
  bool started_ = false;
};

}  // namespace

}  // namespace wskport::detail::winsock

namespace wskport::detail {

std::unique_ptr<Backend> make_backend(std::string_view name, boost::asio::io_context& io) {
  if (!name.empty() && name != "winsock") return nullptr;
  auto backend = std::make_unique<winsock::WinsockBackend>(io);
  if (!backend->start()) return nullptr;
  return backend;
}

std::string_view native_backend_name() noexcept { return "winsock"; }

std::vector<std::string_view> host_backend_names() { return {native_backend_name()}; }

}  // namespace wskport::detail
