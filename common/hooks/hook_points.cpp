// SPDX-License-Identifier: MIT
// Hook points: the C functions of each hook, and the chains behind them. Today the one
// the seed defines, connection_post_bind.
//
// WSKPORT_DEFINE_HOOK defines the C functions that WSKPORT_DECLARE_HOOK
// (momentum/connection_types.h) declares, over one wskport::hooks::HookPoint. A hook
// is described by a traits type:
//
//   struct Traits {
//     using CFunction = ec_hook_<module>_<name>_func_t;   // the C provider type
//     using Context = ...;                                 // what C++ providers get
//     static wskport::hooks::HookPoint<const Context&>& point() noexcept;
//     // Calls a C provider with the context's fields.
//     static int invoke(CFunction f, void* closure, const Context& c);
//     // Builds the context from call_'s C arguments and runs the chain.
//     static int call(<the C arguments>);
//   };
//
// C providers are stored as an adapter whose closure owns {function, closure}, so C and
// C++ providers share one chain and one order. A new hook: declare it in its C header,
// write its traits and one WSKPORT_DEFINE_HOOK line here.
#include <climits>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

#include "wskport/address.hpp"
#include "wskport/connection/hooks.hpp"
#include "wskport/momentum/hooks/core/connection_post_bind.h"

namespace wskport::hooks::detail {

template <class Traits>
struct CProvider {
  typename Traits::CFunction function;
  void* closure;

  static int adapter(void* self, const typename Traits::Context& context) {
    const auto* p = static_cast<const CProvider*>(self);
    return Traits::invoke(p->function, p->closure, context);
  }
};

template <class Traits>
void register_c(Position where, typename Traits::CFunction function, void* closure) noexcept {
  if (function == nullptr) return;
  try {
    auto provider = std::make_shared<CProvider<Traits>>(CProvider<Traits>{function, closure});
    void* raw = provider.get();
    Traits::point().add(where, &CProvider<Traits>::adapter, raw, std::move(provider));
  } catch (const std::bad_alloc&) {
    // The C signature returns nothing: an allocation failure leaves the chain as it was.
  }
}

template <class Traits>
int unregister_c(typename Traits::CFunction function, void* closure) {
  using Point = std::remove_reference_t<decltype(Traits::point())>;
  const bool removed = Traits::point().remove_first_match([&](typename Point::Function f, void* c) {
    if (f != &CProvider<Traits>::adapter) return false;
    const auto* p = static_cast<const CProvider<Traits>*>(c);
    return p->function == function && p->closure == closure;
  });
  return removed ? 1 : 0;
}

}  // namespace wskport::hooks::detail

// The C functions of one hook; `declargs` and `callargs` as in WSKPORT_DECLARE_HOOK.
#define WSKPORT_DEFINE_HOOK(module, name, Traits, declargs, callargs)                              \
  extern "C" int has_##module##_##name##_hook(void) { return Traits::point().empty() ? 0 : 1; }    \
  extern "C" void register_##module##_##name##_hook_first(ec_hook_##module##_##name##_func_t hook, \
                                                          void* closure) {                         \
    ::wskport::hooks::detail::register_c<Traits>(::wskport::hooks::Position::first, hook,          \
                                                 closure);                                         \
  }                                                                                                \
  extern "C" void register_##module##_##name##_hook_last(ec_hook_##module##_##name##_func_t hook,  \
                                                         void* closure) {                          \
    ::wskport::hooks::detail::register_c<Traits>(::wskport::hooks::Position::last, hook, closure); \
  }                                                                                                \
  extern "C" int unregister_##module##_##name##_hook(ec_hook_##module##_##name##_func_t hook,      \
                                                     void* closure) {                              \
    return ::wskport::hooks::detail::unregister_c<Traits>(hook, closure);                          \
  }                                                                                                \
  extern "C" int call_##module##_##name##_hook declargs { return Traits::call callargs; }

namespace wskport::hooks {

PostBindHook& connection_post_bind() noexcept {
  // Constructed on first use, so registrations from other translation units' static
  // initialisers find it; never destroyed, so providers unregistering from static
  // destructors still find it.
  static PostBindHook* const point = new PostBindHook();
  return *point;
}

namespace {

struct PostBindTraits {
  using CFunction = ec_hook_core_connection_post_bind_func_t;
  using Context = PostBindContext;

  static PostBindHook& point() noexcept { return connection_post_bind(); }

  static int invoke(CFunction f, void* closure, const Context& c) {
    return f(closure, c.domain, c.binding_slot, c.fd, c.native_address, c.native_length);
  }

  static int call(::domain_record* dr, int binding_slot, int fd, ::sockaddr* addr, int addr_len) {
    Context c;
    c.domain = dr;
    c.binding_slot = binding_slot;
    c.handle = fd;
    c.fd = fd;
    c.native_address = addr;
    c.native_length = addr_len;
    if (addr != nullptr && addr_len > 0) {
      // An unreadable sockaddr leaves the destination unspecified; C providers still
      // get the raw pointer.
      (void)Address::from_native(addr, static_cast<std::size_t>(addr_len), c.destination);
    }
    return point().call(c);
  }
};

}  // namespace
}  // namespace wskport::hooks

WSKPORT_DEFINE_HOOK(core, connection_post_bind, wskport::hooks::PostBindTraits,
                    (domain_record * dr, int binding_slot, int fd, struct sockaddr* addr,
                     int addr_len),
                    (dr, binding_slot, fd, addr, addr_len))
