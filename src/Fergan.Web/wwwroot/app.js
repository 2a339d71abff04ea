// Upload page: sends one photo to POST /api/predict and draws what comes back (boxes, labels, probability bars).
"use strict";
const $ = (id) => document.getElementById(id);
let colors = {};
fetch("/api/emotions").then((r) => r.json()).then((list) => { colors = Object.fromEntries(list.map((e) => [e.name, e.color])); });
// The server drops the connection on an upload over its limit (it answers 413 without reading the body), which a
// browser reports as a failed fetch: check the size here first and say why.
let maxUpload = Infinity;
fetch("/health").then((r) => r.json()).then((h) => { if (h.max_upload_bytes) maxUpload = h.max_upload_bytes; });
const megabytes = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

async function analyse(blob, name) {
  if (blob.size > maxUpload) {
    status(name + " is " + megabytes(blob.size) + " MB, over the server's limit of " + megabytes(maxUpload) + " MB.", true);
    return;
  }
  const form = new FormData();
  form.append("image", blob, name);
  const query = new URLSearchParams({ detector: $("detector").value, tta: $("tta").checked });
  status("Analysing " + name + "...");
  let response;
  try {
    response = await fetch("/api/predict?" + query, { method: "POST", body: form });
  } catch (e) {
    status("The server did not answer: " + e, true);
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    status(body.detail || ("Error " + response.status), true);
    return;
  }
  const image = await createImageBitmap(blob, { imageOrientation: "from-image" });
  render(image, body);
  const n = body.faces.length;
  status(n === 0 ? "No face found in " + name + "." : n + (n === 1 ? " face" : " faces") + " in " + name + ".");
}

function render(image, result) {
  const canvas = $("canvas");
  // The server reports boxes in the upright photo's pixels; draw at that size.
  canvas.width = result.width;
  canvas.height = result.height;
  const g = canvas.getContext("2d");
  g.drawImage(image, 0, 0, result.width, result.height);
  const line = Math.max(2, Math.max(result.width, result.height) / 400);
  const list = $("faces");
  list.replaceChildren();
  result.faces.forEach((face, i) => {
    const [x, y, w, h] = face.box;
    const color = colors[face.emotion] || "#1565c0";
    g.lineWidth = line;
    g.strokeStyle = color;
    g.strokeRect(x, y, w, h);
    const size = Math.max(12, Math.min(48, w / 5));
    g.font = "bold " + size + "px 'DejaVu Sans', sans-serif";
    const text = (i + 1) + " " + face.emotion;
    const width = g.measureText(text).width + size * 0.5;
    const top = y - size * 1.3 >= 0 ? y - size * 1.3 : y + h;
    g.fillStyle = color;
    g.fillRect(x, top, width, size * 1.3);
    g.fillStyle = "#fff";
    g.fillText(text, x + size * 0.25, top + size);

    const card = document.createElement("div");
    card.className = "face-card";
    const label = document.createElement("span");
    label.className = "face-label";
    label.style.background = color;
    label.textContent = (i + 1) + ". " + face.emotion;
    card.append(label);
    Object.entries(face.probabilities).sort((a, b) => b[1] - a[1]).forEach(([emotion, p]) => {
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.innerHTML = '<span></span><span class="track"><span class="fill"></span></span><span></span>';
      bar.children[0].textContent = emotion;
      bar.querySelector(".fill").style.width = (100 * p).toFixed(1) + "%";
      bar.querySelector(".fill").style.background = colors[emotion] || "#888";
      bar.children[2].textContent = (100 * p).toFixed(0) + " %";
      card.append(bar);
    });
    list.append(card);
  });
  $("result").hidden = false;
}

$("file").addEventListener("change", (e) => { if (e.target.files[0]) analyse(e.target.files[0], e.target.files[0].name); });
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const file = e.dataTransfer.files[0];
  if (file) analyse(file, file.name);
});

// Webcam: only where the browser offers it (a secure context: https or localhost).
$("camera").addEventListener("click", async () => {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status("This browser offers no camera here (it needs https or localhost).", true);
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    $("video").srcObject = stream;
    $("video").style.display = "block";
    $("snap").hidden = false;
  } catch (e) {
    status("The camera could not be opened: " + e.message, true);
  }
});
$("snap").addEventListener("click", () => {
  const video = $("video");
  const shot = document.createElement("canvas");
  shot.width = video.videoWidth;
  shot.height = video.videoHeight;
  shot.getContext("2d").drawImage(video, 0, 0);
  shot.toBlob((blob) => analyse(blob, "webcam.jpg"), "image/jpeg", 0.92);
});
