// SPDX-License-Identifier: MIT
// Fuzz target: address parsing and validation.
//
// Every input is used four ways, because each entry point takes untrusted bytes:
//   1. as text for Address::parse: success must round-trip through format() and
//      to_native()/from_native(), failure must leave the output untouched;
//   2. as a native sockaddr for Address::from_native (the backend's layout and AF_*
//      numbers): success must round-trip through to_native();
//   3. as a path for Address::unix_path;
//   4. through the front end: Socket::bind and Socket::connect with the bytes as a
//      native sockaddr of that length, which must complete the IRP exactly once with
//      from_native's failure when the bytes are bad, and never touch the network
//      (bind only reaches the backend on a datagram socket; connect is only tried on an
//      unbound socket, which the front end refuses before any native call).
// The input buffer is exactly the input's size, so ASan reports any read past it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "wskport/address.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"
#include "wskport/verifier.hpp"

namespace wskport::fuzz {
namespace {

// Writes @p a into heap buffers of every small size and of its exact length, so ASan
// sees any write past the size format() was given.
std::string checked_format(const Address& a) {
  const std::string full = a.to_string();
  WSKPORT_FUZZ_CHECK(!full.empty(), "format() wrote nothing", 0);
  for (std::size_t size = 0; size <= full.size() + 1; ++size) {
    auto buffer = std::make_unique<char[]>(size == 0 ? 1 : size);
    const std::size_t n = a.format(size == 0 ? nullptr : buffer.get(), size);
    if (size == 0) {
      continue;
    }
    WSKPORT_FUZZ_CHECK(n < size, "format() wrote past its size", n);
    WSKPORT_FUZZ_CHECK(buffer[n] == '\0', "format() left its output unterminated", n);
    WSKPORT_FUZZ_CHECK(std::string_view(buffer.get(), n) == std::string_view(full).substr(0, n),
                       "a truncated format() differs from the full text", n);
    WSKPORT_FUZZ_CHECK(n == (size - 1 < full.size() ? size - 1 : full.size()),
                       "format() truncated more than the size required", n);
  }
  return full;
}

// to_native then from_native gives the same address, flow info included; a too-small
// buffer gives 0.
void check_native_round_trip(const Address& a) {
  std::array<unsigned char, Address::max_native_size> native{};
  const std::size_t length = a.to_native(native.data(), native.size());
  if (a.family() == AddressFamily::unspecified) {
    WSKPORT_FUZZ_CHECK(length == 0, "to_native() wrote an unspecified address", length);
    return;
  }
  WSKPORT_FUZZ_CHECK(length != 0 && length <= native.size(), "to_native() failed", length);
  WSKPORT_FUZZ_CHECK(a.to_native(native.data(), length - 1) == 0,
                     "to_native() accepted a buffer one byte short", length);
  const std::vector<unsigned char> exact(native.begin(),
                                         native.begin() + static_cast<std::ptrdiff_t>(length));
  Address back;
  const NTSTATUS st = Address::from_native(exact.data(), exact.size(), back);
  WSKPORT_FUZZ_CHECK(st == status::success, "from_native(to_native(a)) failed", st);
  WSKPORT_FUZZ_CHECK(back == a, "the native round trip changed the address", 0);
  WSKPORT_FUZZ_CHECK(back.flow_info() == a.flow_info(), "the native round trip lost flow info",
                     back.flow_info());
}

// Text that formats an abstract AF_UNIX name with NULs inside ('@'), or a filesystem
// path starting with '@' (read back as abstract), or an unnamed socket ("unix:")
// cannot be parsed back to the same address: format() is for people, not for parse().
// Nor can a filesystem path that fills sun_path without a NUL, which Linux accepts and
// from_native keeps, while unix_path() and parse() leave room for the NUL.
bool text_round_trips(const Address& a) {
  if (a.family() != AddressFamily::unix_domain) return true;
  const std::string_view path = a.unix_path();
  if (path.empty()) return false;
  if (path.front() == '@') return false;
  if (path.front() != '\0' && path.size() >= Address::max_unix_path) return false;
  return path.substr(1).find('\0') == std::string_view::npos;
}

void check_parse(std::string_view text) {
  Address out = Address::ipv4({203, 0, 113, 7}, 4242);  // a sentinel parse must not touch
  const Address sentinel = out;
  const NTSTATUS st = Address::parse(text, out);
  if (st != status::success) {
    WSKPORT_FUZZ_CHECK(st == status::invalid_parameter,
                       "parse() failed with an undocumented status", st);
    WSKPORT_FUZZ_CHECK(out == sentinel && out.flow_info() == sentinel.flow_info(),
                       "a failed parse() changed its output", 0);
    return;
  }
  WSKPORT_FUZZ_CHECK(out.family() != AddressFamily::unspecified, "parse() gave no family", 0);
  const std::string printed = checked_format(out);
  Address again;
  WSKPORT_FUZZ_CHECK(Address::parse(printed, again) == status::success,
                     "format(parse(text)) does not parse", 0);
  WSKPORT_FUZZ_CHECK(again == out, "format(parse(text)) parses to another address", 0);
  WSKPORT_FUZZ_CHECK(again.to_string() == printed, "format() is not a fixed point", 0);
  check_native_round_trip(out);
}

void check_from_native(const std::uint8_t* data, std::size_t size) {
  Address out = Address::ipv4({203, 0, 113, 7}, 4242);
  const Address sentinel = out;
  const NTSTATUS st = Address::from_native(data, size, out);
  if (st != status::success) {
    WSKPORT_FUZZ_CHECK(st == status::invalid_parameter || st == status::invalid_address,
                       "from_native() failed with an undocumented status", st);
    WSKPORT_FUZZ_CHECK(out == sentinel, "a failed from_native() changed its output", 0);
    return;
  }
  const std::string printed = checked_format(out);
  if (text_round_trips(out)) {
    Address again;
    WSKPORT_FUZZ_CHECK(Address::parse(printed, again) == status::success,
                       "format(from_native(bytes)) does not parse", 0);
    WSKPORT_FUZZ_CHECK(again == out, "format(from_native(bytes)) parses to another address", 0);
  }
  check_native_round_trip(out);
}

void check_unix_path(std::string_view path) {
  Address out;
  const NTSTATUS st = Address::unix_path(path, out);
  if (st != status::success) {
    WSKPORT_FUZZ_CHECK(st == status::invalid_parameter || st == status::name_too_long,
                       "unix_path() failed with an undocumented status", st);
    WSKPORT_FUZZ_CHECK(out.family() == AddressFamily::unspecified,
                       "a failed unix_path() changed its output", 0);
    return;
  }
  WSKPORT_FUZZ_CHECK(out.unix_path() == path, "unix_path() stored another path", 0);
  checked_format(out);
  check_native_round_trip(out);
}

// One provider for the whole run: the front-end checks need sockets, not a fresh
// provider each time (the sequence target covers provider life cycles).
Provider& provider() {
  static const std::unique_ptr<Provider> p = [] {
    NTSTATUS st = status::success;
    auto created = Provider::create({}, &st);
    WSKPORT_FUZZ_CHECK(created != nullptr, "Provider::create failed", st);
    return created;
  }();
  return *p;
}

// Runs one synchronous call and checks the completion contract: completed exactly once
// before returning, returned status == IoStatus.Status, and a named status.
template <class Call>
NTSTATUS sync_call(Irp& irp, Call call) {
  const auto before = irp.completion_count();
  const NTSTATUS returned = call(&irp);
  WSKPORT_FUZZ_CHECK(returned != status::pending, "a synchronous call pended", returned);
  WSKPORT_FUZZ_CHECK(irp.completion_count() == before + 1,
                     "a synchronous call did not complete its IRP exactly once",
                     irp.completion_count() - before);
  WSKPORT_FUZZ_CHECK(irp.IoStatus.Status == returned, "returned status differs from IoStatus",
                     returned);
  WSKPORT_FUZZ_CHECK(named(returned), "completed with a status that has no name", returned);
  return returned;
}

Socket create(AddressFamily family, SocketType type, Category category) {
  Irp irp;
  const NTSTATUS st = sync_call(irp, [&](Irp* i) {
    return provider().create_socket(family, type, Protocol::automatic, category, i);
  });
  WSKPORT_FUZZ_CHECK(st == status::success, "create_socket failed", st);
  return provider().socket_from(irp.IoStatus.Information);
}

void close(const Socket& s) {
  Irp irp;
  WSKPORT_FUZZ_CHECK(sync_call(irp, [&](Irp* i) { return s.close(i); }) == status::success,
                     "close of an idle socket failed", irp.IoStatus.Status);
}

void check_front_end(const std::uint8_t* data, std::size_t size) {
  Address converted;
  const NTSTATUS conversion = Address::from_native(data, size, converted);
  const AddressFamily family =
      converted.family() == AddressFamily::ipv6 ? AddressFamily::ipv6 : AddressFamily::ipv4;

  // bind: a datagram socket, so a bind that reaches the backend only takes a UDP port
  // for the moment this input runs.
  const Socket dgram = create(family, SocketType::datagram, Category::datagram);
  Irp irp;
  const NTSTATUS bound = sync_call(irp, [&](Irp* i) { return dgram.bind(data, size, i); });
  if (conversion != status::success) {
    WSKPORT_FUZZ_CHECK(bound == conversion, "bind(native) did not report from_native's failure",
                       bound);
  } else if (converted.family() != family) {
    WSKPORT_FUZZ_CHECK(bound == status::invalid_address, "bind accepted a family mismatch", bound);
  } else if (bound == status::success) {
    Address local;
    WSKPORT_FUZZ_CHECK(
        sync_call(irp, [&](Irp* i) { return dgram.local_address(&local, i); }) == status::success,
        "local_address after a successful bind failed", irp.IoStatus.Status);
    WSKPORT_FUZZ_CHECK(local.family() == family, "bound to another family", 0);
  }
  close(dgram);

  // connect: an unbound connection socket, refused before any native call.
  const Socket conn = create(family, SocketType::stream, Category::connection);
  const NTSTATUS connected = sync_call(irp, [&](Irp* i) { return conn.connect(data, size, i); });
  WSKPORT_FUZZ_CHECK(
      connected == (conversion != status::success ? conversion : status::invalid_device_state),
      "connect(native) on an unbound socket: wrong status", connected);
  close(conn);

  // The same call on a closed handle is a stale handle, whatever the bytes say.
  const NTSTATUS stale = sync_call(irp, [&](Irp* i) { return conn.bind(data, size, i); });
  WSKPORT_FUZZ_CHECK(stale == status::invalid_handle, "bind on a closed handle", stale);
}

}  // namespace
}  // namespace wskport::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wskport::fuzz;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The IRP verifier's life-cycle and teardown checks back the target's own; its
  // `usage` group stays off whatever WSKPORT_VERIFIER says, because the target makes
  // wrong-category, null-IRP and stale-handle calls on purpose and checks their status.
  static const bool verifier_on = [] {
    wskport::verifier::enable(wskport::verifier::irp | wskport::verifier::leaks);
    return true;
  }();
  (void)verifier_on;
  check_parse(text);
  check_from_native(data, size);
  check_unix_path(text);
  check_front_end(data, size);
  WSKPORT_FUZZ_CHECK(provider().open_sockets() == 0, "sockets left open",
                     provider().open_sockets());
  WSKPORT_FUZZ_CHECK(provider().outstanding_irps() == 0, "IRPs left outstanding",
                     provider().outstanding_irps());
  return 0;
}
