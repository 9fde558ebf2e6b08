"""Moving a subtree between lxml documents is quadratic in the nodes that use a namespace declared outside it.

``python -m bench.lxml_fixcns`` prints the time to move a body of N ``<t xml:space="preserve">`` elements into
another document: 4x the time for 2x the elements (lxml 6.2.0; the code is unchanged on master).

Cause: ``_fixCNs`` in ``src/lxml/proxy.pxi`` sets the node's namespace to the one it found in the target document
before caching it, so the cache maps the *new* namespace to itself and the next node, still on the old one, misses
again, searches again and lengthens the list every later lookup scans. Namespaces declared inside the subtree are
cached earlier (old -> new) and are not affected; the XML namespace of ``xml:space`` is never declared, so it always
is. The fix is to swap two lines, caching under the old namespace::

                 c_ns = doc._findOrBuildNodeNs(
                     c_start_node, c_node.ns.href, c_node.ns.prefix,
                     c_node.type == tree.XML_ATTRIBUTE_NODE)
    -            c_node.ns = c_ns
    -            _appendToNsCache(c_ns_cache, c_node.ns, c_ns)
    +            _appendToNsCache(c_ns_cache, c_node.ns, c_ns)
    +            c_node.ns = c_ns

With it the move is linear (docxtpl's ``map_tree`` at 10,000 report actions: 3.76 s -> 0.05 s, identical output).
"""

import time

from lxml import etree

for n in (5_000, 10_000, 20_000, 40_000):
    body = etree.fromstring("<body>" + '<t xml:space="preserve">x </t>' * n + "</body>")
    target = etree.fromstring("<doc><body/></doc>")
    started = time.perf_counter()
    target.replace(target[0], body)  # the move: _fixCNs on every node and attribute
    print(f"{n:>6} elements: {time.perf_counter() - started:.3f} s")
