/* Staff dashboard: reads the district API with the staff member's session and
   draws tiles, charts and tables. Every string comes translated from the page
   (the "dashboard-config" JSON block); no inline script or handler, so the page
   runs under a strict Content-Security-Policy. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("dashboard-config").textContent);
  var L = config.labels;
  var locale = (config.language || "zh-hans").replace(/^zh-hans$/i, "zh-Hans").replace(/^zh-hant$/i, "zh-Hant");
  var COLORS = {
    received: "#1d4f91",
    closed: "#2e8b57",
    satisfaction: "#b86e00",
    closure: "#1d4f91",
    overdue: "#c8161d",
    open: "#8a8a8a",
  };

  // --- formatting -----------------------------------------------------------

  function safeFormat(options) {
    try {
      return new Intl.NumberFormat(locale, options);
    } catch (e) {
      return new Intl.NumberFormat(undefined, options);
    }
  }
  var integer = safeFormat({ maximumFractionDigits: 0 });
  var decimal = safeFormat({ maximumFractionDigits: 1 });
  var percent = safeFormat({ style: "percent", maximumFractionDigits: 1 });

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }
  function fmtInt(value) {
    return isNumber(value) ? integer.format(value) : "–";
  }
  function fmtDec(value) {
    return isNumber(value) ? decimal.format(value) : "–";
  }
  function fmtPct(value) {
    return isNumber(value) ? percent.format(value) : "–";
  }
  function asPercent(value) {
    return isNumber(value) ? Math.round(value * 1000) / 10 : null;
  }
  function interpolate(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  // --- the API --------------------------------------------------------------

  function apiUrl(name, extra) {
    var params = new URLSearchParams(config.query);
    Object.keys(extra || {}).forEach(function (key) {
      params.set(key, extra[key]);
    });
    return config.api[name] + "?" + params.toString();
  }

  /* Resolve to {data} or {error: message}; never reject. */
  function getJSON(name, extra) {
    return fetch(apiUrl(name, extra), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            if (response.ok && body) {
              return { data: body };
            }
            return { error: describeError(response.status, body) };
          });
      })
      .catch(function () {
        return { error: L.error_network };
      });
  }

  function describeError(status, body) {
    var parts = [L.error];
    if (body && body.message) {
      parts.push(body.message);
    } else if (body && body.detail) {
      parts.push(body.detail);
    }
    if (body && body.details && typeof body.details === "object") {
      Object.keys(body.details).forEach(function (key) {
        var messages = body.details[key];
        parts.push([].concat(messages).join(" "));
      });
    }
    parts.push("(" + interpolate(L.status, { status: status }) + ")");
    return parts.join(" ");
  }

  // --- page pieces ----------------------------------------------------------

  function status(name, text, isError) {
    var node = document.querySelector('[data-status-for="' + name + '"]');
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
    node.classList.toggle("is-error", Boolean(isError));
  }

  function showChart(canvasId, visible) {
    var box = document.getElementById(canvasId).parentElement;
    box.hidden = !visible;
    var hint = box.parentElement.querySelector(".hint[data-chart-hint]");
    if (hint) hint.hidden = !visible;
  }

  function dashboardUrl(kind, id) {
    var params = new URLSearchParams({ start: config.query.start, end: config.query.end });
    params.set(kind, id);
    return config.dashboard + "?" + params.toString();
  }

  function cell(row, text, className, tag) {
    var node = document.createElement(tag || "td");
    node.textContent = text;
    if (className) node.className = className;
    row.appendChild(node);
    return node;
  }

  function unitLink(kind, id, name) {
    var link = document.createElement("a");
    link.href = dashboardUrl(kind, id);
    link.textContent = name;
    link.title = interpolate(L.open_unit, { name: name });
    return link;
  }

  // --- tiles ----------------------------------------------------------------

  function setTile(figure, text, note, options) {
    var value = document.querySelector('[data-figure="' + figure + '"]');
    var noteNode = document.querySelector('[data-note="' + figure + '"]');
    var tile = document.querySelector('[data-tile="' + figure + '"]');
    value.textContent = text;
    // A district's six- and seven-digit counts stay on one line, smaller.
    value.classList.toggle("long", String(text).length > 6);
    value.classList.toggle("longer", String(text).length > 8);
    noteNode.textContent = note || "";
    tile.classList.toggle("not-applicable", Boolean(options && options.notApplicable));
    tile.classList.toggle("has-value", Boolean(options && options.alert));
  }

  function fillTiles(summary) {
    var cases = summary.cases || {};
    var now = summary.now || {};
    var service = summary.meetings_and_service;
    var coverage = summary.coverage;
    var fees = summary.fees || {};
    var na = { notApplicable: true };
    setTile("received", fmtInt(cases.received), interpolate(L.closed_count, { count: fmtInt(cases.closed) }));
    setTile("closure_rate", fmtPct(cases.closure_rate),
      interpolate(L.of_total, { part: fmtInt(cases.closed), whole: fmtInt(cases.received) }));
    setTile("closed_on_time_rate", fmtPct(cases.closed_on_time_rate),
      interpolate(L.of_total, { part: fmtInt(cases.closed_on_time), whole: fmtInt(cases.closed) }));
    setTile("satisfaction_rate", fmtPct(cases.satisfaction_rate),
      interpolate(L.rated_count, { count: fmtInt(cases.rated) }));
    setTile("open", fmtInt(now.open), L.open_note);
    setTile("overdue", fmtInt(now.overdue), L.overdue_note, { alert: now.overdue > 0 });
    setTile("median_hours_to_close", fmtDec(cases.median_hours_to_close),
      isNumber(cases.mean_hours_to_close)
        ? interpolate(L.mean_hours, { value: fmtDec(cases.mean_hours_to_close) })
        : "");
    if (service) {
      setTile("verified_hours", fmtDec(service.verified_hours),
        interpolate(L.turnouts, { count: fmtInt(service.volunteer_turnouts) }));
      setTile("meetings_held", fmtInt(service.meetings_held),
        interpolate(L.decisions, { count: fmtInt(service.decisions) }));
    } else {
      setTile("verified_hours", "–", L.not_applicable, na);
      setTile("meetings_held", "–", L.not_applicable, na);
    }
    setTile("fee_collection_rate", fmtPct(fees.collection_rate),
      fees.households_billed
        ? interpolate(L.of_total, { part: fmtInt(fees.households_paid), whole: fmtInt(fees.households_billed) })
        : L.no_data_short);
    if (coverage) {
      setTile("coverage_rate", fmtPct(coverage.coverage_rate),
        coverage.as_of ? interpolate(L.as_of, { month: coverage.as_of }) : L.no_data_short);
    } else {
      setTile("coverage_rate", "–", L.not_applicable, na);
    }
  }

  function failTiles(message) {
    var box = document.getElementById("page-error");
    box.textContent = message;
    box.hidden = false;
  }

  // --- charts ---------------------------------------------------------------

  var charts = {};
  var canDraw = false;

  function chartFont() {
    var size = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.max(13, Math.round(size * 0.8));
  }

  function setupChartDefaults() {
    var Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = chartFont();
    Chart.defaults.color = "#141414";
    Chart.defaults.borderColor = "#ddd6cb";
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.responsive = true;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
    // The legend in the order the datasets are listed, whatever their drawing order.
    Chart.defaults.plugins.legend.labels.sort = function (a, b) {
      return a.datasetIndex - b.datasetIndex;
    };
    // Room for a point at 100% and for the last tick label.
    Chart.defaults.layout.padding = { top: 8, right: 4 };
  }

  function draw(id, definition) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart(document.getElementById(id), definition);
    return charts[id];
  }

  function percentAxis(position, drawGrid) {
    return {
      position: position,
      min: 0,
      max: 100,
      grid: { drawOnChartArea: drawGrid !== false },
      ticks: {
        callback: function (value) {
          return value + "%";
        },
      },
    };
  }

  function percentTooltip(context) {
    var value = context.parsed[context.chart.options.indexAxis === "y" ? "x" : "y"];
    return context.dataset.label + ": " + (value === null || value === undefined ? "–" : decimal.format(value) + "%");
  }

  function drawTrend(series) {
    if (!canDraw) return;
    var rows = series.results || [];
    var any = rows.some(function (row) {
      return row.received || row.closed || isNumber(row.satisfaction_rate);
    });
    if (!rows.length || !any) {
      showChart("trend-chart", false);
      status("trend", L.no_data);
      return;
    }
    showChart("trend-chart", true);
    status("trend", "");
    draw("trend-chart", {
      data: {
        labels: rows.map(function (row) {
          return row.month;
        }),
        datasets: [
          {
            type: "bar",
            label: L.received,
            data: rows.map(function (row) { return row.received; }),
            backgroundColor: COLORS.received,
            yAxisID: "count",
            order: 2,
          },
          {
            type: "bar",
            label: L.closed,
            data: rows.map(function (row) { return row.closed; }),
            backgroundColor: COLORS.closed,
            yAxisID: "count",
            order: 2,
          },
          {
            type: "line",
            label: L.satisfaction_rate,
            data: rows.map(function (row) { return asPercent(row.satisfaction_rate); }),
            borderColor: COLORS.satisfaction,
            backgroundColor: COLORS.satisfaction,
            borderWidth: 3,
            pointRadius: 4,
            spanGaps: true,
            yAxisID: "rate",
            order: 1,
          },
        ],
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          count: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
          rate: percentAxis("right", false),
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                if (context.dataset.yAxisID === "rate") return percentTooltip(context);
                return context.dataset.label + ": " + fmtInt(context.parsed.y);
              },
            },
          },
        },
      },
    });
  }

  /* Height for a horizontal bar chart of n units: every bar stays readable. */
  function sizeFor(canvasId, count) {
    var box = document.getElementById(canvasId).parentElement;
    box.style.height = Math.max(220, 70 + count * 46) + "px";
  }

  /* The unit names of a horizontal bar chart, shortened on a phone so that
     the bars keep their width (the table below gives the full names). */
  function unitAxis(extra) {
    var axis = {
      ticks: {
        autoSkip: false,
        callback: function (value) {
          var name = String(this.getLabelForValue(value));
          var room = window.innerWidth < 600 ? 7 : 16;
          return name.length > room ? name.slice(0, room - 1) + "…" : name;
        },
      },
    };
    Object.keys(extra || {}).forEach(function (key) {
      axis[key] = extra[key];
    });
    return axis;
  }

  function openChild(children) {
    return function (event, elements) {
      if (!elements || !elements.length) return;
      var child = children[elements[0].index];
      if (child) window.location.href = dashboardUrl(child.kind, child.id);
    };
  }

  function pointer(event, elements) {
    var target = event.native && event.native.target;
    if (target) target.style.cursor = elements && elements.length ? "pointer" : "default";
  }

  function drawChildren(drilldown) {
    var children = drilldown.results || [];
    var levelName = drilldown.level ? L.levels[drilldown.level] || "" : "";
    document.querySelectorAll("[data-level]").forEach(function (node) {
      node.textContent = levelName ? "· " + levelName : "";
    });
    var names = children.map(function (child) { return child.name; });
    // A grid or a company has no units below it: leave their cards out.
    ["children", "overdue", "children-table-card"].forEach(function (id) {
      document.getElementById(id).hidden = !drilldown.level;
    });
    if (!drilldown.level) return;

    // Closure and satisfaction by child.
    var rated = children.some(function (child) {
      return isNumber(child.closure_rate) || isNumber(child.satisfaction_rate);
    });
    if (!canDraw) {
      // The script of the charts did not load: the table below still reads.
    } else if (!children.length) {
      showChart("children-chart", false);
      status("children", L.no_children);
    } else if (!rated) {
      showChart("children-chart", false);
      status("children", L.no_data);
    } else {
      showChart("children-chart", true);
      status("children", "");
      sizeFor("children-chart", children.length);
      draw("children-chart", {
        type: "bar",
        data: {
          labels: names,
          datasets: [
            {
              label: L.closure_rate,
              data: children.map(function (child) { return asPercent(child.closure_rate); }),
              backgroundColor: COLORS.closure,
            },
            {
              label: L.satisfaction_rate,
              data: children.map(function (child) { return asPercent(child.satisfaction_rate); }),
              backgroundColor: COLORS.satisfaction,
            },
          ],
        },
        options: {
          indexAxis: "y",
          interaction: { mode: "index", axis: "y", intersect: false },
          onClick: openChild(children),
          onHover: pointer,
          scales: { x: percentAxis("bottom"), y: unitAxis() },
          plugins: {
            legend: { position: "bottom" },
            tooltip: { callbacks: { label: percentTooltip } },
          },
        },
      });
    }

    // Open and overdue cases now by child.
    var anyOpen = children.some(function (child) { return child.open > 0; });
    if (!canDraw) {
      // As above.
    } else if (!children.length) {
      showChart("overdue-chart", false);
      status("overdue", L.no_children);
    } else if (!anyOpen) {
      showChart("overdue-chart", false);
      status("overdue", L.no_open);
    } else {
      showChart("overdue-chart", true);
      status("overdue", "");
      sizeFor("overdue-chart", children.length);
      draw("overdue-chart", {
        type: "bar",
        data: {
          labels: names,
          datasets: [
            {
              label: L.overdue,
              data: children.map(function (child) { return child.overdue || 0; }),
              backgroundColor: COLORS.overdue,
            },
            {
              label: L.open_not_overdue,
              data: children.map(function (child) {
                return Math.max(0, (child.open || 0) - (child.overdue || 0));
              }),
              backgroundColor: COLORS.open,
            },
          ],
        },
        options: {
          indexAxis: "y",
          interaction: { mode: "index", axis: "y", intersect: false },
          onClick: openChild(children),
          onHover: pointer,
          scales: {
            x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
            y: unitAxis({ stacked: true }),
          },
          plugins: { legend: { position: "bottom" } },
        },
      });
    }

    // The table of every child with every figure.
    var body = document.querySelector("#children-table tbody");
    body.textContent = "";
    children.forEach(function (child) {
      var row = document.createElement("tr");
      cell(row, "", "", "th").appendChild(unitLink(child.kind, child.id, child.name));
      cell(row, fmtInt(child.received), "num");
      cell(row, fmtInt(child.closed), "num");
      cell(row, fmtPct(child.closure_rate), "num");
      cell(row, fmtPct(child.closed_on_time_rate), "num");
      cell(row, fmtPct(child.satisfaction_rate), "num");
      cell(row, fmtInt(child.open), "num");
      cell(row, fmtInt(child.overdue), child.overdue > 0 ? "num alert" : "num");
      cell(row, "meetings_held" in child ? fmtInt(child.meetings_held) : "–", "num");
      cell(row, "verified_hours" in child ? fmtDec(child.verified_hours) : "–", "num");
      body.appendChild(row);
    });
    document.getElementById("children-table").hidden = !children.length;
    status("children-table", children.length ? "" : L.no_children);
  }

  function failChildren(message) {
    ["children-chart", "overdue-chart"].forEach(function (id) {
      showChart(id, false);
    });
    ["children", "overdue", "children-table"].forEach(function (name) {
      status(name, message, true);
    });
    document.getElementById("children-table").hidden = true;
  }

  // --- targets --------------------------------------------------------------

  function isChange(metric) {
    return /_change$/.test(metric);
  }

  function fmtTarget(metric, value) {
    if (!isNumber(value)) return L.no_value;
    if (!isChange(metric)) return fmtPct(value);
    if (value === 0) return fmtPct(0);
    return interpolate(value < 0 ? L.down : L.up, { value: fmtPct(Math.abs(value)) });
  }

  function drawTargets(targets) {
    var list = document.getElementById("targets-list");
    list.textContent = "";
    var rows = targets.results || [];
    status("targets", rows.length ? "" : L.no_targets);
    rows.forEach(function (target) {
      var item = document.createElement("li");
      item.className = "target" + (target.met ? " is-met" : "");

      var head = document.createElement("div");
      head.className = "target-head";
      var label = document.createElement("span");
      label.className = "target-label";
      label.textContent = target.label;
      head.appendChild(label);
      var badge = document.createElement("span");
      if (target.met === true) {
        badge.className = "badge met";
        badge.textContent = "✓ " + L.met;
      } else if (target.overdue) {
        badge.className = "badge overdue";
        badge.textContent = "! " + L.overdue_target;
      } else if (target.met === false) {
        badge.className = "badge not-met";
        badge.textContent = L.not_met;
      } else {
        badge.className = "badge";
        badge.textContent = L.no_value;
      }
      head.appendChild(badge);
      item.appendChild(head);

      var bar = document.createElement("div");
      bar.className = "progress";
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      var share = 0;
      if (isNumber(target.value) && isNumber(target.target) && target.target !== 0) {
        share = Math.max(0, Math.min(1, target.value / target.target));
      }
      if (target.met) share = 1;
      bar.setAttribute("aria-valuenow", String(Math.round(share * 100)));
      bar.setAttribute("aria-label", target.label);
      var fill = document.createElement("div");
      fill.className = "progress-fill";
      fill.style.width = share * 100 + "%";
      bar.appendChild(fill);
      item.appendChild(bar);

      var figures = document.createElement("div");
      figures.className = "target-figures";
      var now = document.createElement("span");
      now.textContent = L.value_now + " ";
      var strong = document.createElement("strong");
      strong.textContent = fmtTarget(target.metric, target.value);
      now.appendChild(strong);
      figures.appendChild(now);
      var goal = document.createElement("span");
      goal.textContent = L.target + " " + fmtTarget(target.metric, target.target);
      figures.appendChild(goal);
      var due = document.createElement("span");
      due.textContent = interpolate(L.due_on, { date: target.due_on });
      figures.appendChild(due);
      if (isNumber(target.baseline)) {
        var baseline = document.createElement("span");
        baseline.textContent = interpolate(L.baseline, { value: fmtInt(target.baseline) });
        figures.appendChild(baseline);
      }
      if (target.district) {
        var district = document.createElement("span");
        district.textContent = target.district;
        figures.appendChild(district);
      }
      item.appendChild(figures);
      if (target.note) {
        var note = document.createElement("p");
        note.className = "hint";
        note.textContent = target.note;
        item.appendChild(note);
      }
      list.appendChild(item);
    });
  }

  // --- ranking --------------------------------------------------------------

  function drawRanking(ranking) {
    var body = document.querySelector("#ranking-table tbody");
    body.textContent = "";
    var rows = ranking.results || [];
    rows.forEach(function (company) {
      var row = document.createElement("tr");
      cell(row, fmtInt(company.rank), "num");
      cell(row, "", "", "th").appendChild(unitLink("property_company", company.id, company.name));
      cell(row, fmtInt(company.received), "num");
      cell(row, fmtPct(company.closure_rate), "num");
      cell(row, fmtPct(company.closed_on_time_rate), "num");
      cell(row, fmtPct(company.satisfaction_rate), "num");
      body.appendChild(row);
    });
    document.getElementById("ranking-table").hidden = !rows.length;
    status("ranking", rows.length ? "" : interpolate(L.no_ranking, { min_cases: fmtInt(ranking.min_cases) }));
  }

  // --- case mix -------------------------------------------------------------

  function drawCaseMix(mix) {
    var any = false;
    [
      ["case-mix-category", mix.by_category],
      ["case-mix-repair-kind", mix.by_repair_kind],
      ["case-mix-channel", mix.by_channel],
    ].forEach(function (pair) {
      var table = document.getElementById(pair[0]);
      var body = table.querySelector("tbody");
      var rows = pair[1] || [];
      body.textContent = "";
      rows.forEach(function (record) {
        var row = document.createElement("tr");
        cell(row, record.label, "", "th");
        cell(row, fmtInt(record.received), "num");
        cell(row, fmtInt(record.closed), "num");
        cell(row, fmtPct(record.closure_rate), "num");
        cell(row, fmtPct(record.satisfaction_rate), "num");
        body.appendChild(row);
      });
      table.hidden = !rows.length;
      any = any || rows.length > 0;
    });
    status("case-mix", any ? "" : L.no_data);
  }

  // --- evaluation of property companies ------------------------------------

  var LEVEL_ORDER = ["district", "community", "compound"];

  function latestRows(results) {
    if (!results.length) return [];
    var quarter = results[0].quarter;
    var rows = results.filter(function (r) { return r.quarter === quarter; });
    for (var i = 0; i < LEVEL_ORDER.length; i++) {
      var level = rows.filter(function (r) { return r.level === LEVEL_ORDER[i]; });
      if (level.length) return level;
    }
    return rows;
  }

  function describeParts(parts) {
    return parts
      .filter(function (part) { return isNumber(part.points); })
      .map(function (part) {
        return part.label + " " + fmtDec(part.points) + "/" + part.weight;
      })
      .join(" · ");
  }

  function drawEvaluation(answer) {
    var table = document.getElementById("evaluation-table");
    var body = table.querySelector("tbody");
    var rows = latestRows(answer.results || []);
    body.textContent = "";
    rows.forEach(function (record) {
      var row = document.createElement("tr");
      cell(row, record.property_company.name, "", "th");
      cell(row, record.unit.name);
      cell(row, fmtInt(record.cases), "num");
      cell(
        row,
        isNumber(record.score)
          ? fmtDec(record.score)
          : interpolate(L.too_few_cases, { min_cases: fmtInt(record.min_cases) }),
        "num"
      );
      cell(row, describeParts(record.breakdown), "parts");
      body.appendChild(row);
    });
    var label = document.querySelector("[data-evaluation-quarter]");
    label.textContent = rows.length ? rows[0].quarter : "";
    table.hidden = !rows.length;
    status("evaluation", rows.length ? "" : L.no_evaluation);
  }

  function getEvaluations() {
    var params = new URLSearchParams(config.evaluation_query || {});
    return fetch(config.api.evaluations + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(drawEvaluation)
      .catch(function () {
        document.getElementById("evaluation-table").hidden = true;
        status("evaluation", L.error, true);
      });
  }

  // --- start ----------------------------------------------------------------

  function chartsReady() {
    if (window.Chart) return true;
    ["trend", "children", "overdue"].forEach(function (name) {
      status(name, L.error_chart, true);
    });
    return false;
  }

  function start() {
    var main = document.getElementById("dashboard");
    canDraw = chartsReady();
    if (canDraw) setupChartDefaults();
    var jobs = [
      getJSON("summary").then(function (answer) {
        if (answer.error) {
          failTiles(answer.error);
          document.querySelectorAll("[data-figure]").forEach(function (node) {
            node.textContent = "–";
          });
        } else {
          fillTiles(answer.data);
        }
      }),
      getJSON("series").then(function (answer) {
        if (answer.error) {
          showChart("trend-chart", false);
          status("trend", answer.error, true);
        } else {
          drawTrend(answer.data);
        }
      }),
      getJSON("drilldown").then(function (answer) {
        if (answer.error) {
          failChildren(answer.error);
        } else {
          drawChildren(answer.data);
        }
      }),
      getJSON("targets").then(function (answer) {
        if (answer.error) {
          status("targets", answer.error, true);
        } else {
          drawTargets(answer.data);
        }
      }),
      getEvaluations(),
      getJSON("case-mix").then(function (answer) {
        if (answer.error) {
          status("case-mix", answer.error, true);
        } else {
          drawCaseMix(answer.data);
        }
      }),
      getJSON("ranking", { by: "property_company" }).then(function (answer) {
        if (answer.error) {
          document.getElementById("ranking-table").hidden = true;
          status("ranking", answer.error, true);
        } else {
          drawRanking(answer.data);
        }
      }),
    ];
    Promise.all(jobs).then(function () {
      main.setAttribute("aria-busy", "false");
      main.dataset.loaded = "true";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
