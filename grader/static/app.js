// Small progressive enhancements; every page works without them.
"use strict";

// Show <time datetime> values in the reader's own time zone.
function localizeTimes(root) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    const moment = new Date(el.getAttribute("datetime"));
    if (!isNaN(moment)) {
      el.title = el.textContent;
      el.textContent = moment.toLocaleString(undefined, {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      });
    }
  }
}

// Poll a submission's status until grading is final, swapping in the server-rendered
// (already escaped) feedback fragment.
function followSubmission(box) {
  const url = box.dataset.statusUrl;
  let delay = 500;
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) {
        const data = await response.json();
        box.innerHTML = data.html;
        localizeTimes(box);
        const history = document.querySelector("#history");
        if (history && data.history) {
          history.innerHTML = data.history;
          localizeTimes(history);
        }
        box.dataset.final = data.final ? "true" : "false";
        document.title = document.title.replace(/^\[[a-z]+\] /, "");
        if (data.final) {
          return;
        }
        document.title = "[" + data.status + "] " + document.title;
      }
    } catch (error) {
      // The network blinked: keep trying, a little more slowly.
    }
    delay = Math.min(delay * 1.3, 3000);
    setTimeout(poll, delay);
  }
  setTimeout(poll, delay);
}

// The instructor dashboard's queue and regrade progress, refreshed every few seconds.
// Only numbers and names go in, through textContent: nothing is parsed as HTML.
function followQueue(panel) {
  async function poll() {
    try {
      const response = await fetch(panel.dataset.url, { cache: "no-store" });
      if (response.ok) {
        const state = await response.json();
        panel.querySelector("[data-queue=queued]").textContent = state.queued;
        panel.querySelector("[data-queue=running]").textContent = state.running;
        const names = state.workers && state.workers.length ? state.workers : state.busy_workers;
        panel.querySelector("[data-queue=workers]").textContent = names.join(", ") || "none busy";
        for (const batch of state.batches || []) {
          const row = document.querySelector(`[data-batch="${batch.id}"]`);
          if (row) {
            row.querySelector("progress").value = batch.done;
            row.querySelector("[data-progress]").textContent = `${batch.done} / ${batch.total} done`;
          }
        }
      }
    } catch (error) {
      // Try again at the next tick.
    }
    setTimeout(poll, 3000);
  }
  setTimeout(poll, 3000);
}

function enableCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const target = document.querySelector(button.dataset.copy);
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = "Copied";
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localizeTimes(document);
  enableCopyButtons();
  const box = document.querySelector("#feedback[data-status-url]");
  if (box && box.dataset.final !== "true") {
    followSubmission(box);
  }
  const queue = document.querySelector("#queue[data-url]");
  if (queue) {
    followQueue(queue);
  }
});
