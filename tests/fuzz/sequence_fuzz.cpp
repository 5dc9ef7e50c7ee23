// SPDX-License-Identifier: MIT
// Fuzz target: random operation sequences on loopback sockets.
//
// The input is a script. Its first byte picks the provider's thread count; then each
// operation is one opcode byte followed by its argument bytes (slot, IRP, sizes, flags,
// data), read with Bytes so that a truncated script is still a script. Operations:
// create, bind, listen, accept, connect, send, receive, send_to, receive_from,
// disconnect, cancel, close, options and address queries, calls with a null IRP or
// on a stale handle, a bounded wait, and provider shutdown. A fresh provider runs each
// input, so inputs do not influence one another; Session (sequence_session.hpp) counts
// every completion and checks the contract when the script ends, after closing every
// socket. Nothing here waits without a bound.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "fuzz_support.hpp"
#include "sequence_session.hpp"
#include "wskport/verifier.hpp"

namespace wskport::fuzz {
namespace {

using Slot = Session::Slot;

Address loopback(AddressFamily family, std::uint16_t port = 0) {
  return family == AddressFamily::ipv6 ? Address::ipv6_loopback(port)
                                       : Address::ipv4_loopback(port);
}

// The script's interpreter: one method per operation family.
class Script {
 public:
  Script(Session& session, Bytes& in) : s_(session), in_(in) {}

  void step() {
    s_.reap();
    const std::uint8_t opcode = in_.u8();
    switch (opcode % 18) {
      case 0:
        create();
        break;
      case 1:
        bind();
        break;
      case 2:
        listen();
        break;
      case 3:
        accept();
        break;
      case 4:
        connect();
        break;
      case 5:
        send();
        break;
      case 6:
        receive();
        break;
      case 7:
        send_to();
        break;
      case 8:
        receive_from();
        break;
      case 9:
        disconnect();
        break;
      case 10:
        cancel();
        break;
      case 11:
        s_.close_slot(in_.u8());
        break;
      case 12:
        option();
        break;
      case 13:
        query();
        break;
      case 14:
        null_irp();
        break;
      case 15:
        stale_handle();
        break;
      case 16:
        wait();
        break;
      case 17:
        shutdown();
        break;
      default:
        break;
    }
  }

 private:
  // The IRP for the next call, described; null when the pool is busy (the operation is
  // skipped, as a caller without an IRP could not issue it either).
  TrackedIrp* irp_for(Op op, const Slot& slot) {
    TrackedIrp* t = s_.free_irp(in_.u8());
    if (t == nullptr) return nullptr;
    t->op = op;
    t->serial = slot.serial;
    t->expect_len = 0;
    return t;
  }

  // @p target's bound address into @p out (unchanged if it has none), with a pool IRP
  // other than @p reserved, the IRP the caller is about to issue.
  void bound_address(Slot& target, const TrackedIrp* reserved, Address& out) {
    if (target.serial == 0) return;
    TrackedIrp* q = s_.free_irp(in_.u8(), reserved);
    if (q == nullptr) return;
    q->op = Op::local_address;
    q->serial = target.serial;
    q->expect_len = 0;
    if (s_.issue_sync(*q, [&](Irp* irp) {
          return target.socket.local_address(&q->address_a, irp);
        }) == status::success) {
      out = q->address_a;
    }
  }

  Slot* open_slot() {
    Slot& slot = s_.slot(in_.u8());
    return slot.serial == 0 ? nullptr : &slot;
  }

  void create() {
    const std::uint8_t arg = in_.u8();
    const AddressFamily family = (arg & 1U) != 0 ? AddressFamily::ipv6 : AddressFamily::ipv4;
    static constexpr std::array<Category, 5> categories{Category::listen, Category::connection,
                                                        Category::stream, Category::datagram,
                                                        Category::basic};
    const Category category = categories[(arg >> 1U) % categories.size()];
    // Mostly the type the category needs; sometimes the wrong one.
    SocketType type = category == Category::datagram ? SocketType::datagram : SocketType::stream;
    if ((arg & 0x80U) != 0) {
      type = type == SocketType::stream ? SocketType::datagram : SocketType::stream;
    }
    const Slot empty{};
    TrackedIrp* t = irp_for(Op::create, empty);
    if (t == nullptr) return;
    const NTSTATUS st = s_.issue_sync(*t, [&](Irp* irp) {
      return s_.provider().create_socket(family, type, Protocol::automatic, category, irp);
    });
    s_.reap();
    if (st != status::success) return;
    const Socket sock = s_.provider().socket_from(t->information);
    if (s_.adopt(sock, family, category) == nullptr) {
      // No free slot: close it right away (close_slot needs a slot, so adopt after
      // freeing one).
      s_.close_slot(in_.u8());
      WSKPORT_FUZZ_CHECK(s_.adopt(sock, family, category) != nullptr, "no slot after a close", 0);
    }
  }

  void bind() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    const std::uint8_t how = in_.u8();
    TrackedIrp* t = irp_for(Op::bind, *slot);
    if (t == nullptr) return;
    Address local = loopback(slot->family);
    if ((how & 3U) == 1U) {
      local = slot->family == AddressFamily::ipv6 ? Address::ipv6_any() : Address::ipv4_any();
    } else if ((how & 3U) == 2U) {
      // Another slot's address: address in use, or a family mismatch.
      bound_address(s_.slot(how >> 2U), t, local);
    }
    t->address_a = local;
    s_.issue_sync(*t, [&](Irp* irp) { return slot->socket.bind(t->address_a, irp); });
  }

  void listen() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    if (TrackedIrp* t = irp_for(Op::listen, *slot)) {
      s_.issue_sync(*t, [&](Irp* irp) { return slot->socket.listen(irp); });
    }
  }

  void accept() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    TrackedIrp* t = irp_for(Op::accept, *slot);
    if (t == nullptr) return;
    t->address_a = Address{};
    // address_a receives the local address; its family is the new socket's.
    const bool want_remote = (in_.u8() & 1U) != 0;
    s_.issue(*t, [&](Irp* irp) {
      return slot->socket.accept(&t->address_a, want_remote ? &t->address_b : nullptr, irp);
    });
  }

  void connect() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    Slot& target = s_.slot(in_.u8());
    TrackedIrp* t = irp_for(Op::connect, *slot);
    if (t == nullptr) return;
    // The target's bound address; without one, a loopback port nothing listens on
    // (port 1 is privileged, so no test process holds it): refused.
    t->address_a = loopback(slot->family, 1);
    bound_address(target, t, t->address_a);
    s_.issue(*t, [&](Irp* irp) { return slot->socket.connect(t->address_a, irp); });
  }

  // Fills t->data from the input and describes it in one or two descriptors.
  std::span<const ConstBuffer> fill_send(TrackedIrp& t) {
    const std::size_t length = in_.u8() % (t.data.size() + 1);
    const auto bytes = in_.take(length);
    std::memcpy(t.data.data(), bytes.data(), bytes.size());
    const std::size_t first = bytes.size() / 2;
    t.send_buffers[0] = {t.data.data(), first};
    t.send_buffers[1] = {t.data.data() + first, bytes.size() - first};
    t.expect_len = bytes.size();
    return {t.send_buffers.data(), (length & 1U) != 0 ? 2U : 1U};
  }

  std::span<const MutableBuffer> fill_receive(TrackedIrp& t, std::uint8_t size_byte) {
    const std::size_t length = size_byte % (t.data.size() + 1);
    const std::size_t first = length / 2;
    t.receive_buffers[0] = {t.data.data(), first};
    t.receive_buffers[1] = {t.data.data() + first, length - first};
    t.expect_len = length;
    return {t.receive_buffers.data(), (size_byte & 0x80U) != 0 ? 2U : 1U};
  }

  void send() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    const std::uint8_t flag_byte = in_.u8();
    TrackedIrp* t = irp_for(Op::send, *slot);
    if (t == nullptr) return;
    const auto buffers = fill_send(*t);
    if (buffers.size() == 1) t->expect_len = buffers[0].size;
    // nodelay, none, or an unknown flag (not_supported).
    const unsigned flags = flag_byte % 3 == 0   ? send_flags::nodelay
                           : flag_byte % 3 == 1 ? 0U
                                                : 0x40U;
    s_.issue(*t, [&](Irp* irp) { return slot->socket.send(buffers, flags, irp); });
  }

  void receive() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    const std::uint8_t flag_byte = in_.u8();
    TrackedIrp* t = irp_for(Op::receive, *slot);
    if (t == nullptr) return;
    auto buffers = fill_receive(*t, in_.u8());
    if (buffers.size() == 1) t->expect_len = buffers[0].size;
    static constexpr std::array<unsigned, 5> flag_choices{
        0U, receive_flags::waitall, receive_flags::drain,
        receive_flags::waitall | receive_flags::drain, 0x40U};
    const unsigned flags = flag_choices[flag_byte % flag_choices.size()];
    s_.issue(*t, [&](Irp* irp) { return slot->socket.receive(buffers, flags, irp); });
  }

  void send_to() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    Slot& target = s_.slot(in_.u8());
    TrackedIrp* t = irp_for(Op::send_to, *slot);
    if (t == nullptr) return;
    t->address_b = loopback(slot->family, 9);  // discard port: nothing listens
    bound_address(target, t, t->address_b);
    const auto buffers = fill_send(*t);
    if (buffers.size() == 1) t->expect_len = buffers[0].size;
    s_.issue(*t, [&](Irp* irp) { return slot->socket.send_to(buffers, &t->address_b, irp); });
  }

  void receive_from() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    TrackedIrp* t = irp_for(Op::receive_from, *slot);
    if (t == nullptr) return;
    auto buffers = fill_receive(*t, in_.u8());
    if (buffers.size() == 1) t->expect_len = buffers[0].size;
    t->control_flags = 0;
    s_.issue(*t, [&](Irp* irp) {
      return slot->socket.receive_from(buffers, &t->address_a, &t->control_flags, irp);
    });
  }

  void disconnect() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    const std::uint8_t how = in_.u8();
    TrackedIrp* t = irp_for(Op::disconnect, *slot);
    if (t == nullptr) return;
    // Graceful with or without final data, abortive (with data: invalid_parameter),
    // or an unknown flag.
    std::span<const ConstBuffer> data;
    if ((how & 1U) != 0) data = fill_send(*t);
    const unsigned flags = (how >> 1U) % 3 == 0   ? 0U
                           : (how >> 1U) % 3 == 1 ? disconnect_flags::abortive
                                                  : 0x80U;
    s_.issue(*t, [&](Irp* irp) { return slot->socket.disconnect(data, flags, irp); });
  }

  void cancel() {
    // Any IRP of the pool, pending or not: cancelling an idle IRP is harmless, and a
    // cancel racing a completion must still leave exactly one completion.
    s_.irp(in_.u8()).irp.cancel();
  }

  void option() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    const auto option = static_cast<SocketOption>(in_.u8() % 10);  // 9 options + one bogus
    const std::uint8_t value_byte = in_.u8();
    const std::uint32_t value = (value_byte & 0x80U) != 0 ? 0xFFFFFFFFU : value_byte % 3U;
    const bool get = (value_byte & 0x40U) != 0;
    TrackedIrp* t = irp_for(get ? Op::get_option : Op::set_option, *slot);
    if (t == nullptr) return;
    if (get) {
      s_.issue_sync(*t, [&](Irp* irp) { return slot->socket.get_option(option, irp); });
    } else {
      s_.issue_sync(*t, [&](Irp* irp) { return slot->socket.set_option(option, value, irp); });
    }
  }

  void query() {
    Slot* slot = open_slot();
    if (slot == nullptr) return;
    const std::uint8_t which = in_.u8();
    TrackedIrp* t = irp_for((which & 1U) != 0 ? Op::remote_address : Op::local_address, *slot);
    if (t == nullptr) return;
    Address* out = (which & 2U) != 0 ? nullptr : &t->address_a;  // null: invalid_parameter
    if ((which & 1U) != 0) {
      s_.issue_sync(*t, [&](Irp* irp) { return slot->socket.remote_address(out, irp); });
    } else {
      s_.issue_sync(*t, [&](Irp* irp) { return slot->socket.local_address(out, irp); });
    }
  }

  // A null IRP is refused without a completion, whatever the socket's state.
  void null_irp() {
    const Socket sock = s_.slot(in_.u8()).socket;
    const std::uint8_t which = in_.u8();
    std::array<std::uint8_t, 4> buffer{};
    NTSTATUS st = status::success;
    switch (which % 5) {
      case 0:
        st = sock.listen(nullptr);
        break;
      case 1:
        st = sock.receive(buffer.data(), buffer.size(), 0, nullptr);
        break;
      case 2:
        st = sock.send(buffer.data(), buffer.size(), 0, nullptr);
        break;
      case 3:
        st = sock.close(nullptr);
        break;
      default:
        st = s_.provider().create_socket(AddressFamily::ipv4, SocketType::stream,
                                         Protocol::automatic, Category::connection, nullptr);
        break;
    }
    WSKPORT_FUZZ_CHECK(st == status::invalid_parameter, "a null IRP was not refused", st);
  }

  // A handle whose socket is closed (or never existed) completes with invalid_handle.
  void stale_handle() {
    const Socket stale = s_.provider().socket_from(0x5A5A0000U + in_.u8());
    const Slot none{};
    TrackedIrp* t = irp_for(Op::receive, none);
    if (t == nullptr) return;
    auto buffers = fill_receive(*t, 8);
    const NTSTATUS st = s_.issue(*t, [&](Irp* irp) { return stale.receive(buffers, 0, irp); });
    WSKPORT_FUZZ_CHECK(st == status::invalid_handle, "a call on a bogus handle", st);
  }

  void wait() {
    const TrackedIrp& t = s_.irp(in_.u8());
    s_.wait(t, std::chrono::milliseconds(1 + in_.u8() % 8));
  }

  void shutdown() {
    // At most once, and only when the script asks twice in a row (opcode then a
    // confirming byte), so that most inputs exercise a live provider.
    if (!s_.shut_down() && in_.u8() == 0x5D) s_.shutdown_provider();
  }

  Session& s_;
  Bytes& in_;
};

}  // namespace
}  // namespace wskport::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wskport::fuzz;
  // Long scripts slow the fuzzer down without reaching new states.
  if (size > 512) return -1;
  // The IRP verifier's life-cycle and teardown checks back the target's own; its
  // `usage` group stays off whatever WSKPORT_VERIFIER says, because the target makes
  // wrong-category, null-IRP and stale-handle calls on purpose and checks their status.
  static const bool verifier_on = [] {
    wskport::verifier::enable(wskport::verifier::irp | wskport::verifier::leaks);
    return true;
  }();
  (void)verifier_on;
  Bytes in(data, size);
  Session session;
  if (!session.start(1U + in.u8() % 2U)) return 0;
  Script script(session, in);
  while (!in.empty()) script.step();
  session.finish();
  return 0;
}
