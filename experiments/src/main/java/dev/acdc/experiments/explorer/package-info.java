/**
 * The interactive circuit explorer: {@link dev.acdc.experiments.explorer.CircuitExplorer} renders one circuit, or a
 * sweep of circuits, of one model's edge graph as a self-contained offline HTML page ({@code explorer.html}), with
 * Cytoscape.js (MIT, vendored in this package's resources with its licence, version {@value
 * dev.acdc.experiments.explorer.CircuitExplorer#CYTOSCAPE_VERSION}) and the page's own script ({@code explorer.js})
 * inlined. {@code ExplorerLayout} places the nodes in layer rows.
 *
 * <p>Invariants: a page loads nothing from the network; the same input gives the same bytes; the embedded data cannot
 * close its script element (JSON with {@code <}, {@code >}, {@code &} escaped; the inlined scripts are checked to hold
 * no {@code </script} and no {@code <!--}); edge names on the page are the graph's ({@code sender->receiver}).
 */
package dev.acdc.experiments.explorer;
