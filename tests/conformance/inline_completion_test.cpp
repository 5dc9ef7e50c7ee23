// SPDX-License-Identifier: MIT
// What the OS finishes at once completes before the call returns, on the calling
// thread, on the engines that promise it: epoll tries the call before it waits, and
// IOCP puts its sockets in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode, so a send with
// room in the socket buffer, or a receive with data already there, costs no trip
// through the completion port. (io_uring completes every call from its completion
// queue: there the case is skipped, not weakened.)
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

bool completes_at_once(std::string_view engine) {
  return engine == "epoll" || engine == "posix" || engine == "iocp" || engine == "winsock";
}

class InlineCompletion : public Conformance {
 protected:
  void SetUp() override {
    Conformance::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!completes_at_once(GetParam().engine)) {
      GTEST_SKIP() << "the " << GetParam().engine
                   << " engine completes every call from its completion queue";
    }
  }
};

TEST_P(InlineCompletion, SendWithRoomAndReceiveWithDataCompleteBeforeReturning) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p));
  std::array<std::uint8_t, 64> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i);
  const auto caller = std::this_thread::get_id();

  std::thread::id send_ran_on{};
  TestIrp& tx = h.irp("send 64 bytes");
  tx.set_hook([&](TestIrp&, const Completion&) { send_ran_on = std::this_thread::get_id(); });
  EXPECT_STATUS(tx.issue([&](Irp* i) { return p.client->send(out.data(), out.size(), 0, i); }),
                status::success)
      << "a 64-byte send into an empty socket buffer";
  EXPECT_OK(tx.wait());
  EXPECT_EQ(send_ran_on, caller) << "the routine ran on a provider thread";

  // The first byte may still be on its way; once it is here, the other 63 are too.
  std::array<std::uint8_t, 64> in{};
  TestIrp& first = h.irp("receive 1 byte");
  first.issue([&](Irp* i) { return p.server->receive(in.data(), 1, 0, i); });
  const Outcome f = first.wait();
  ASSERT_OK(f);
  ASSERT_EQ(f.information, 1U);

  std::thread::id receive_ran_on{};
  TestIrp& rest = h.irp("receive the queued 63 bytes");
  rest.set_hook([&](TestIrp&, const Completion&) { receive_ran_on = std::this_thread::get_id(); });
  EXPECT_STATUS(rest.issue([&](Irp* i) { return p.server->receive(in.data() + 1, 63, 0, i); }),
                status::success)
      << "a receive of data already in the socket buffer";
  const Outcome r = rest.wait();
  EXPECT_OK(r);
  EXPECT_EQ(r.information, 63U);
  EXPECT_EQ(receive_ran_on, caller) << "the routine ran on a provider thread";
  EXPECT_EQ(in, out);
}

WSKPORT_INSTANTIATE_CONFORMANCE(InlineCompletion);

}  // namespace
}  // namespace wskport::test
