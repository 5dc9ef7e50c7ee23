// SPDX-License-Identifier: MIT
// The address constants of ws2ipdef.h (in4addr_any, in6addr_loopback, ...), under the
// Wskport names the header maps them to: glibc exports in6addr_any and
// in6addr_loopback, and the runtime must not define a C-library name.
#include <wdm.h>

#include <mstcpip.h>
#include <ws2ipdef.h>

extern "C" {

const SCOPE_ID WskportScopeIdUnspecified = {};

const IN_ADDR WskportIn4AddrAny = IN4ADDR_ANY_INIT;
const IN_ADDR WskportIn4AddrLoopback = IN4ADDR_LOOPBACK_INIT;
const IN_ADDR WskportIn4AddrBroadcast = IN4ADDR_BROADCAST_INIT;
const IN_ADDR WskportIn4AddrAllNodesOnLink = IN4ADDR_ALLNODESONLINK_INIT;
const IN_ADDR WskportIn4AddrAllRoutersOnLink = IN4ADDR_ALLROUTERSONLINK_INIT;
const IN_ADDR WskportIn4AddrAllIgmpv3RoutersOnLink = IN4ADDR_ALLIGMPV3ROUTERSONLINK_INIT;
const IN_ADDR WskportIn4AddrAllTeredoHostsOnLink = IN4ADDR_ALLTEREDONODESONLINK_INIT;
const IN_ADDR WskportIn4AddrLinkLocalPrefix = IN4ADDR_LINKLOCALPREFIX_INIT;
const IN_ADDR WskportIn4AddrMulticastPrefix = IN4ADDR_MULTICASTPREFIX_INIT;

const IN6_ADDR WskportIn6AddrAny = IN6ADDR_ANY_INIT;
const IN6_ADDR WskportIn6AddrLoopback = IN6ADDR_LOOPBACK_INIT;
const IN6_ADDR WskportIn6AddrAllNodesOnNode = IN6ADDR_ALLNODESONNODE_INIT;
const IN6_ADDR WskportIn6AddrAllNodesOnLink = IN6ADDR_ALLNODESONLINK_INIT;
const IN6_ADDR WskportIn6AddrAllRoutersOnLink = IN6ADDR_ALLROUTERSONLINK_INIT;
const IN6_ADDR WskportIn6AddrAllMldv2RoutersOnLink = IN6ADDR_ALLMLDV2ROUTERSONLINK_INIT;
const IN6_ADDR WskportIn6AddrTeredoInitialLinkLocalAddress =
    IN6ADDR_TEREDOINITIALLINKLOCALADDRESS_INIT;
const IN6_ADDR WskportIn6AddrLinkLocalPrefix = IN6ADDR_LINKLOCALPREFIX_INIT;
const IN6_ADDR WskportIn6AddrMulticastPrefix = IN6ADDR_MULTICASTPREFIX_INIT;
const IN6_ADDR WskportIn6AddrSolicitedNodeMulticastPrefix =
    IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_INIT;
const IN6_ADDR WskportIn6AddrV4MappedPrefix = IN6ADDR_V4MAPPEDPREFIX_INIT;
const IN6_ADDR WskportIn6Addr6To4Prefix = IN6ADDR_6TO4PREFIX_INIT;
const IN6_ADDR WskportIn6AddrTeredoPrefix = IN6ADDR_TEREDOPREFIX_INIT;
const IN6_ADDR WskportIn6AddrTeredoPrefixOld = IN6ADDR_TEREDOPREFIX_INIT_OLD;

}  // extern "C"
