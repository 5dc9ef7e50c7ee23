// SPDX-License-Identifier: MIT
// WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo. UTF-16 names are converted
// here (never with the C library's wide functions, whose wchar_t is 32 bits on Linux).
#include <cstring>
#include <gsl/narrow>
#include <new>
#include <string>
#include <vector>

#include "common/km/wsk_internal.hpp"

namespace wskport::km {

namespace {

struct Node {
  ADDRINFOEXW ai;  // first: PADDRINFOEXW == Node*
  SOCKADDR_STORAGE sa;
};

// UTF-16 (UNICODE_STRING, Length in bytes) to UTF-8; false on a lone surrogate or NUL.
bool to_utf8(const UNICODE_STRING& u, std::string& out) {
  const std::size_t n = u.Length / sizeof(WCHAR);
  const auto* w = reinterpret_cast<const std::uint16_t*>(u.Buffer);
  if (n != 0 && w == nullptr) return false;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t c = w[i];
    if (c == 0) return false;
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (i + 1 >= n || w[i + 1] < 0xDC00 || w[i + 1] > 0xDFFF) return false;
      c = 0x10000 + ((c - 0xD800) << 10) + (w[++i] - 0xDC00);
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      return false;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return true;
}

// A service: decimal port, or one of the few names kernel code uses.
bool service_port(const std::string& s, std::uint16_t& port) {
  if (s.empty()) {
    port = 0;
    return true;
  }
  static const struct {
    const char* name;
    std::uint16_t port;
  } names[] = {{"ftp", 21},  {"ssh", 22},    {"smtp", 25}, {"domain", 53},
               {"http", 80}, {"https", 443}, {"ntp", 123}, {"ldap", 389}};
  for (const auto& n : names) {
    if (s == n.name) {
      port = n.port;
      return true;
    }
  }
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > 6553) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

PADDRINFOEXW build(const std::vector<Address>& addrs, int socktype, int protocol) {
  PADDRINFOEXW head = nullptr;
  PADDRINFOEXW* tail = &head;
  for (const Address& a : addrs) {
    auto* n = new (std::nothrow) Node{};
    if (n == nullptr) break;
    n->ai.ai_family = a.family() == AddressFamily::ipv6 ? AF_INET6 : AF_INET;
    n->ai.ai_socktype = socktype;
    n->ai.ai_protocol = protocol;
    n->ai.ai_addr = reinterpret_cast<PSOCKADDR>(&n->sa);
    n->ai.ai_addrlen = to_sockaddr(a, n->ai.ai_addr);
    *tail = &n->ai;
    tail = &n->ai.ai_next;
  }
  return head;
}

struct Lookup {
  Irp inner;
  Registration* reg = nullptr;
  PIRP client = nullptr;
  PADDRINFOEXW* result = nullptr;
  std::vector<Address> addrs;
  int socktype = 0;
  int protocol = 0;
};

void lookup_done(Irp& irp, void* context) noexcept {
  auto* l = static_cast<Lookup*>(context);
  NTSTATUS st = irp.IoStatus.Status;
  if (NT_SUCCESS(st)) {
    *l->result = build(l->addrs, l->socktype, l->protocol);
    if (*l->result == nullptr)
      st = l->addrs.empty() ? STATUS_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
  }
  Registration* reg = l->reg;
  PIRP client = l->client;
  delete l;
  finish(*reg, client, st, 0);
  // The lookup counted as a provider call until now: WskDeregister waits for it.
  release_later(*reg, Counted::call);
}

}  // namespace

NTSTATUS WSKAPI wsk_get_address_info(PWSK_CLIENT client, PUNICODE_STRING node,
                                     PUNICODE_STRING service, ULONG name_space, GUID* provider,
                                     PADDRINFOEXW hints, PADDRINFOEXW* result, PEPROCESS process,
                                     PETHREAD thread, PIRP irp) {
  Registration* reg = registration_from(client);
  if (reg == nullptr || irp == nullptr) return STATUS_INVALID_PARAMETER;
  CallScope call(reg);
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  (void)provider;
  if (result == nullptr || (thread != nullptr && process == nullptr) ||
      (name_space != NS_ALL && name_space != NS_DNS)) {
    return finish(*reg, irp, STATUS_INVALID_PARAMETER, 0);
  }
  *result = nullptr;
  int family = hints != nullptr ? hints->ai_family : AF_UNSPEC;
  const int flags = hints != nullptr ? hints->ai_flags : 0;
  AddressFamily f = AddressFamily::unspecified;
  if (family == AF_INET) {
    f = AddressFamily::ipv4;
  } else if (family == AF_INET6) {
    f = AddressFamily::ipv6;
  } else if (family != AF_UNSPEC) {
    return finish(*reg, irp, STATUS_NOT_SUPPORTED, 0);
  }
  std::string node8;
  std::string service8;
  std::uint16_t port = 0;
  try {
    if ((node != nullptr && !to_utf8(*node, node8)) ||
        (service != nullptr && !to_utf8(*service, service8)) || !service_port(service8, port)) {
      return finish(*reg, irp, STATUS_INVALID_PARAMETER, 0);
    }
    auto* l = new Lookup;
    l->addrs.reserve(2);
    call_begin(*reg);  // released by lookup_done; nothing below throws
    l->reg = reg;
    l->client = irp;
    l->result = result;
    l->socktype = hints != nullptr ? hints->ai_socktype : 0;
    l->protocol = hints != nullptr ? hints->ai_protocol : 0;
    if (node8.empty()) {
      // No node: the wildcard (AI_PASSIVE) or the loopback address, per family.
      const bool passive = (flags & AI_PASSIVE) != 0;
      if (f != AddressFamily::ipv4) {
        l->addrs.push_back(passive ? Address::ipv6_any(port) : Address::ipv6_loopback(port));
      }
      if (f != AddressFamily::ipv6) {
        l->addrs.push_back(passive ? Address::ipv4_any(port) : Address::ipv4_loopback(port));
      }
      l->inner.IoStatus.Status = STATUS_SUCCESS;
      lookup_done(l->inner, l);
      return STATUS_PENDING;
    }
    if ((flags & AI_NUMERICHOST) != 0) {
      Address a;
      if (!NT_SUCCESS(Address::parse(node8, a)) || a.family() == AddressFamily::unix_domain ||
          (f != AddressFamily::unspecified && a.family() != f)) {
        l->inner.IoStatus.Status = STATUS_NOT_FOUND;
        lookup_done(l->inner, l);
        return STATUS_PENDING;
      }
      a.set_port(port);
      l->addrs.push_back(a);
      l->inner.IoStatus.Status = STATUS_SUCCESS;
      lookup_done(l->inner, l);
      return STATUS_PENDING;
    }
    l->inner.set_completion(&lookup_done, l);
    reg->provider->resolve(node8, port, f, &l->addrs, &l->inner);
  } catch (...) {
    return finish(*reg, irp, STATUS_INSUFFICIENT_RESOURCES, 0);
  }
  return STATUS_PENDING;
}

VOID WSKAPI wsk_free_address_info(PWSK_CLIENT, PADDRINFOEXW info) {
  while (info != nullptr) {
    PADDRINFOEXW next = info->ai_next;
    delete reinterpret_cast<Node*>(info);
    info = next;
  }
}

namespace {

// Writes UTF-8 @p text as the UTF-16 string of @p out (Length in bytes, NUL after it, as
// the caller's MaximumLength allows). Invalid UTF-8 (a name from a hosts file in another
// encoding) becomes U+FFFD rather than a failure: the lookup itself succeeded.
NTSTATUS put(PUNICODE_STRING out, const char* text, std::size_t n) noexcept {
  if (out == nullptr) return STATUS_SUCCESS;
  const auto* b = reinterpret_cast<const unsigned char*>(text);
  const std::size_t cap = out->Buffer == nullptr ? 0 : out->MaximumLength / sizeof(WCHAR);
  std::size_t w = 0;
  auto emit = [&](std::uint32_t u) {
    if (w < cap) out->Buffer[w] = static_cast<WCHAR>(u);
    ++w;
  };
  for (std::size_t i = 0; i < n;) {
    std::uint32_t c = b[i++];
    std::size_t extra = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      c &= 0x07;
    } else if (c >= 0x80) {
      c = 0xFFFD;  // a stray continuation byte, or a lead byte UTF-8 never uses
    }
    std::size_t k = 0;
    for (; k < extra && i < n && (b[i] & 0xC0) == 0x80; ++k, ++i) c = (c << 6) | (b[i] & 0x3F);
    const bool overlong = (extra == 2 && c < 0x800) || (extra == 3 && c < 0x10000);
    if (k != extra || overlong || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) c = 0xFFFD;
    if (c >= 0x10000) {
      emit(0xD800 + ((c - 0x10000) >> 10));
      emit(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else {
      emit(c);
    }
  }
  if (w + 1 > cap || w * sizeof(WCHAR) > 0xFFFF) return STATUS_BUFFER_TOO_SMALL;
  out->Buffer[w] = 0;
  out->Length = gsl::narrow<USHORT>(w * sizeof(WCHAR));  // bounded just above
  return STATUS_SUCCESS;
}

// Writes both names, or neither: a caller that sees STATUS_BUFFER_TOO_SMALL has its
// strings' lengths unchanged.
NTSTATUS put_both(PUNICODE_STRING node, const std::string& host, PUNICODE_STRING service,
                  const std::string& serv) noexcept {
  const USHORT node_len = node != nullptr ? node->Length : 0;
  NTSTATUS st = put(node, host.data(), host.size());
  if (NT_SUCCESS(st)) st = put(service, serv.data(), serv.size());
  if (!NT_SUCCESS(st) && node != nullptr) node->Length = node_len;
  return st;
}

// The numeric forms, as the platform's resolver writes them: "127.0.0.1", "::1",
// "fe80::1%2" (numeric scope) and the port in decimal.
void numeric_names(const Address& a, std::string& host, std::string& serv) {
  Address bare = a;
  bare.set_port(0);
  char text[96];
  const std::size_t len = bare.format(text, sizeof text);
  if (a.family() == AddressFamily::ipv6) {  // "[addr]:0"
    host.assign(text + 1, static_cast<std::size_t>(std::strchr(text, ']') - text - 1));
  } else {  // "a.b.c.d:0"
    host.assign(text, len - 2);
  }
  serv = std::to_string(a.port());
}

static_assert(NI_NOFQDN == name_flags::no_fqdn && NI_NUMERICHOST == name_flags::numeric_host &&
                  NI_NAMEREQD == name_flags::name_required &&
                  NI_NUMERICSERV == name_flags::numeric_service && NI_DGRAM == name_flags::datagram,
              "the core's name flags are the NI_* values WSK callers pass");

struct NameLookup {
  Irp inner;
  Registration* reg = nullptr;
  PIRP client = nullptr;
  PUNICODE_STRING node = nullptr;
  PUNICODE_STRING service = nullptr;
  std::string host;
  std::string serv;
};

void name_lookup_done(Irp& irp, void* context) noexcept {
  auto* l = static_cast<NameLookup*>(context);
  NTSTATUS st = irp.IoStatus.Status;
  if (NT_SUCCESS(st)) st = put_both(l->node, l->host, l->service, l->serv);
  Registration* reg = l->reg;
  PIRP client = l->client;
  delete l;
  finish(*reg, client, st, 0);
  // As for WskGetAddressInfo: the lookup counted as a provider call until now.
  release_later(*reg, Counted::call);
}

}  // namespace

NTSTATUS WSKAPI wsk_get_name_info(PWSK_CLIENT client, PSOCKADDR sa, ULONG sa_length,
                                  PUNICODE_STRING node, PUNICODE_STRING service, ULONG flags,
                                  PEPROCESS process, PETHREAD thread, PIRP irp) {
  Registration* reg = registration_from(client);
  if (reg == nullptr || irp == nullptr) return STATUS_INVALID_PARAMETER;
  CallScope call(reg);
  if (!enter(irp)) return STATUS_INVALID_PARAMETER;
  Address a;
  NTSTATUS st = (thread != nullptr && process == nullptr) ||
                        (node == nullptr && service == nullptr) ||
                        (flags & ~static_cast<ULONG>(name_flags::all)) != 0
                    ? STATUS_INVALID_PARAMETER
                    : from_sockaddr(sa, a);
  if (NT_SUCCESS(st)) {
    const ULONG need =
        a.family() == AddressFamily::ipv6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN);
    if (sa_length < need) st = STATUS_INVALID_PARAMETER;
  }
  if (!NT_SUCCESS(st)) return finish(*reg, irp, st, 0);
  try {
    // Numeric answers need no resolver: made here, without a thread hop.
    if ((node == nullptr || (flags & NI_NUMERICHOST) != 0) &&
        (service == nullptr || (flags & NI_NUMERICSERV) != 0)) {
      std::string host;
      std::string serv;
      numeric_names(a, host, serv);
      return finish(*reg, irp, put_both(node, host, service, serv), 0);
    }
    auto* l = new NameLookup;
    call_begin(*reg);  // released by name_lookup_done; nothing below throws
    l->reg = reg;
    l->client = irp;
    l->node = node;
    l->service = service;
    l->inner.set_completion(&name_lookup_done, l);
    reg->provider->lookup_name(a, flags, node != nullptr ? &l->host : nullptr,
                               service != nullptr ? &l->serv : nullptr, &l->inner);
  } catch (...) {
    return finish(*reg, irp, STATUS_INSUFFICIENT_RESOURCES, 0);
  }
  return STATUS_PENDING;
}

}  // namespace wskport::km
