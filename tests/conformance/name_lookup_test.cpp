// SPDX-License-Identifier: MIT
// Provider::lookup_name (WskGetNameInfo's core): the numeric forms exactly, names as the
// host's files give them (only their presence asserted: the files are the host's), the
// argument errors, and the provider's shutdown. Exact names are asserted by the kernel-
// style case KmDriverC.NameInfoHostsFile under tests/km/private_names.sh.
#include <gtest/gtest.h>

#include <string>

#include "support/conformance_fixture.hpp"

namespace wskport::test {
namespace {

class NameLookup : public Conformance {
 protected:
  /// One lookup; @p host / @p service may be null (not wanted).
  Outcome lookup(const Address& a, unsigned flags, std::string* host, std::string* service) {
    TestIrp& t = h.irp("lookup_name");
    t.issue([&](Irp* i) { return h.provider().lookup_name(a, flags, host, service, i); });
    return t.wait();
  }
};

TEST_P(NameLookup, NumericForms) {
  std::string& host = h.hold<std::string>("unchanged");
  std::string& service = h.hold<std::string>("unchanged");
  const Outcome o = lookup(loopback(4242), name_flags::numeric_host | name_flags::numeric_service,
                           &host, &service);
  ASSERT_OK(o);
  EXPECT_EQ(o.information, 0U);
  EXPECT_EQ(host, v6() ? "::1" : "127.0.0.1");
  EXPECT_EQ(service, "4242");
}

TEST_P(NameLookup, NamesFromTheHost) {
  std::string& host = h.hold<std::string>();
  std::string& service = h.hold<std::string>();
  // Without NI_NAMEREQD an address always has an answer: its name or its number.
  ASSERT_OK(lookup(loopback(80), 0, &host, &service));
  EXPECT_FALSE(host.empty());
  EXPECT_FALSE(service.empty());
  // One of the two alone.
  std::string& only = h.hold<std::string>("unchanged");
  ASSERT_OK(lookup(loopback(80), name_flags::numeric_service, nullptr, &only));
  EXPECT_EQ(only, "80");
}

TEST_P(NameLookup, ArgumentErrors) {
  std::string& host = h.hold<std::string>("unchanged");
  EXPECT_COMPLETES_WITH(lookup(loopback(80), 0, nullptr, nullptr), status::invalid_parameter);
  EXPECT_COMPLETES_WITH(lookup(loopback(80), 0x20, &host, nullptr), status::invalid_parameter);
  EXPECT_COMPLETES_WITH(lookup(Address(), 0, &host, nullptr), status::invalid_address);
  EXPECT_EQ(host, "unchanged");
  // A null IRP is refused, nothing to complete.
  EXPECT_STATUS(h.provider().lookup_name(loopback(80), 0, &host, nullptr, nullptr),
                status::invalid_parameter);
}

TEST_P(NameLookup, AfterShutdown) {
  std::string& host = h.hold<std::string>("unchanged");
  h.provider().shutdown();
  EXPECT_COMPLETES_WITH(lookup(loopback(80), name_flags::numeric_host, &host, nullptr),
                        status::file_forced_closed);
  EXPECT_EQ(host, "unchanged");
}

WSKPORT_INSTANTIATE_CONFORMANCE(NameLookup);

}  // namespace
}  // namespace wskport::test
