/**
 * The interactive circuit explorer: {@link dev.acdc.experiments.explorer.CircuitExplorer} renders one circuit, or a
 * sweep of circuits, of one model's edge graph as a self-contained offline HTML page ({@code explorer.html}), with
 * Cytoscape.js (MIT, vendored in this package's resources with its licence, version {@value
 * dev.acdc.experiments.explorer.CircuitExplorer#CYTOSCAPE_VERSION}) and the page's own script ({@code explorer.js})
 * inlined. {@code ExplorerLayout} places the nodes in layer rows.
 *
 * <p>The library: {@code npm pack cytoscape@3.35.0} in a temporary directory, {@code package/dist/cytoscape.min.js}
 * copied as it is (SHA-256 {@code 71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94}, a test checks it)
 * and {@code package/LICENSE} as {@code cytoscape.LICENSE}. To upgrade: the same steps with the new version, then the
 * version and the digest here, in {@code CircuitExplorer.CYTOSCAPE_VERSION} and in {@code CircuitExplorerTest}.
 *
 * <p>Invariants: a page loads nothing from the network; the same input gives the same bytes; the embedded data cannot
 * close its script element (JSON with {@code <}, {@code >}, {@code &} escaped; the inlined scripts are checked to hold
 * no {@code </script} and no {@code <!--}); edge names on the page are the graph's ({@code sender->receiver}).
 */
package dev.acdc.experiments.explorer;
