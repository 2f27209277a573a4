/* Checks a certificate against register.js, in the browser: nothing is sent anywhere.
 *
 * register.js lists each certificate under PBKDF2-HMAC-SHA-256(code, salt), with its
 * status, course, dates, hours and the SHA-256 of the PDF issued. A code (from the
 * address, "verify#K7QM-4XTD", or typed) is hashed the same way and looked up; a PDF
 * is hashed with SHA-256 and compared with what was issued. Plain script, no modules:
 * browsers refuse modules opened from disk, and the page must work from a USB stick.
 * Text from the register is data: it is only ever set as textContent.
 */
(function () {
  "use strict";

  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var MAX_FILE_BYTES = 50 * 1024 * 1024;
  var SVG = "http://www.w3.org/2000/svg";
  // An example code for the answers, with a hyphen that never breaks the line (U+2011).
  var EXAMPLE = "K7QM\u20114XTD";
  // Crockford's base 32 reads these as the digits they look like, so a code typed with
  // an O for a zero is still found.
  var LOOKALIKES = { O: "0", I: "1", L: "1" };
  // Where an ipskit certificate names its code: its XMP metadata, its document
  // information (a hyphen may be written \055 there) and its subject.
  var CODES_IN_FILE = [
    /pdf:Keywords\s*=\s*["']([0-9A-Za-z]{4}-?[0-9A-Za-z]{4})["']/g,
    /<pdf:Keywords>\s*([0-9A-Za-z]{4}-?[0-9A-Za-z]{4})\s*</g,
    /\/Keywords\s*\(\s*([0-9A-Za-z]{4}(?:-|\\055)?[0-9A-Za-z]{4})\s*\)/g,
    /Certificate ([0-9A-Z]{4}-[0-9A-Z]{4})/g
  ];

  var register = window.IPSKIT_REGISTER;
  var page = {
    form: document.getElementById("code-form"),
    code: document.getElementById("code"),
    file: document.getElementById("file"),
    drop: document.getElementById("drop"),
    result: document.getElementById("result")
  };
  var organisation = (register && register.organisation) || {
    name: (document.querySelector(".organisation") || {}).textContent || "",
    contact: null
  };
  var keyCache = {};
  var bySha = null;
  var latest = 0; // only the answer to the last question asked is shown

  // --- what the page says ---------------------------------------------------------

  function longDate(iso) {
    if (!iso) return "";
    var parts = iso.split("-");
    var when = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    var options = { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
    try {
      return when.toLocaleDateString(document.documentElement.lang || "en-GB", options);
    } catch (error) {
      return when.toLocaleDateString("en-GB", options);
    }
  }

  function hours(text) {
    return text + (text === "1" ? " contact hour" : " contact hours");
  }

  function course(entry) {
    var text = entry.course;
    if (entry.hours) text += " (" + hours(entry.hours) + ")";
    return text;
  }

  function contactLine() {
    var name = organisation.name;
    return organisation.contact
      ? "Questions? Contact " + name + ": " + organisation.contact
      : "Questions? Contact " + name + ".";
  }

  function answerFor(kind, entry, how) {
    var org = organisation.name;
    var issued = entry ? longDate(entry.issued) : "";
    var changed = entry ? longDate(entry.date) : "";
    var ifFile = how === "file";
    switch (kind) {
      case "genuine":
        return {
          title: "Genuine certificate",
          lines: [
            ifFile
              ? "This file is a genuine certificate, exactly as " + org + " issued it on " +
                issued + " for " + course(entry) + "."
              : "This certificate is genuine. It was issued by " + org + " on " + issued +
                " for " + course(entry) + ".",
            ifFile
              ? "Check that the name on it is the name of the person who gave it to you."
              : "Check that the name on the certificate is the name of the person who gave it to you."
          ]
        };
      case "superseded":
        return {
          title: "Replaced by a newer certificate",
          lines: [
            (ifFile
              ? "This file is a certificate " + org + " issued on " + issued
              : "This certificate was issued by " + org + " on " + issued) +
              " for " + course(entry) + ", but it was replaced by a newer certificate on " +
              changed + ".",
            "Ask the holder for the current one."
          ]
        };
      case "revoked":
        return {
          title: "Withdrawn certificate",
          lines: [
            "This certificate was withdrawn by " + org + " on " + changed +
              ". It is no longer valid." + (entry.reason ? " Reason: " + entry.reason : ""),
            "It had been issued on " + issued + " for " + course(entry) + "."
          ]
        };
      case "altered":
        return {
          title: "Altered file",
          lines: [
            "This file is not the one that was issued. It claims to be a certificate from " +
              org + ", but it has been changed since: it may have been edited, or damaged " +
              "when it was copied.",
            "Ask the holder for the original file, or contact " + org +
              " for a true copy. You can also type the code printed on it in the box above." +
              (entry && entry.status === "revoked"
                ? " That certificate has also been withdrawn."
                : "")
          ]
        };
      case "unknown-code":
        return {
          title: "No such certificate",
          lines: [
            org + " has no certificate with this code. Check the code and try again: it " +
              "has eight letters and digits, such as " + EXAMPLE + ".",
            "If it is still not found, the certificate was not issued by " + org + "."
          ]
        };
      case "unknown-file":
        return {
          title: "Not a certificate from " + org,
          lines: [
            org + " has no record of this file: it is not a certificate " + org + " issued.",
            "If the holder says it is, ask them for the code printed on it and type it in " +
              "the box above, or contact " + org + "."
          ]
        };
      case "not-a-code":
        return {
          title: "That is not a certificate code",
          lines: [
            "A certificate code has eight letters and digits, such as " + EXAMPLE + ". " +
              "It is printed on the certificate, beside its QR code."
          ]
        };
      case "empty":
        return {
          title: "Type a code first",
          lines: ["Type the code printed on the certificate, such as " + EXAMPLE + ", then choose Check."]
        };
      case "not-a-pdf":
        return {
          title: "That file is not a PDF",
          lines: [
            "Certificates from " + org + " are PDF files. Choose the certificate’s PDF file, " +
              "or type the code printed on it."
          ]
        };
      case "too-large":
        return {
          title: "Not a certificate from " + org,
          lines: ["This file is far larger than any certificate " + org + " issues."]
        };
      case "unreadable":
        return {
          title: "The file could not be read",
          lines: ["Your browser could not open this file. Try choosing it again."]
        };
      case "insecure":
        return {
          title: "This page cannot check certificates here",
          lines: [
            "Your browser allows the checks only on a secure address. Open this page at its " +
              "address beginning with https://, or from a copy saved on this device."
          ]
        };
      case "no-register":
        return {
          title: "The list of certificates is missing",
          lines: [
            "This page could not load its list of certificates (register.js), so it cannot " +
              "check anything. Please tell " + (org || "the organisation") + "."
          ]
        };
      default:
        return { title: "Checking…", lines: [] };
    }
  }

  // The state each answer shows, with its icon: colour is never the only sign.
  var TONES = {
    genuine: "genuine",
    superseded: "superseded",
    revoked: "revoked",
    altered: "altered",
    checking: "checking"
  };
  var ICONS = {
    genuine: "M7 12.5l3.2 3.2L17 9",
    revoked: "M8 8l8 8M16 8l-8 8",
    altered: "M8 8l8 8M16 8l-8 8",
    superseded: "M12 7v6M12 16.5v.5",
    other: "M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.6v.6M12 17v.5",
    checking: "M12 7v5l3 2"
  };

  function icon(kind) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var ring = document.createElementNS(SVG, "circle");
    ring.setAttribute("cx", "12");
    ring.setAttribute("cy", "12");
    ring.setAttribute("r", "10.5");
    ring.setAttribute("fill", "none");
    ring.setAttribute("stroke", "currentColor");
    ring.setAttribute("stroke-width", "1.8");
    var mark = document.createElementNS(SVG, "path");
    mark.setAttribute("d", ICONS[kind] || ICONS.other);
    mark.setAttribute("fill", "none");
    mark.setAttribute("stroke", "currentColor");
    mark.setAttribute("stroke-width", "2.2");
    mark.setAttribute("stroke-linecap", "round");
    mark.setAttribute("stroke-linejoin", "round");
    svg.appendChild(ring);
    svg.appendChild(mark);
    return svg;
  }

  var slow = 0;

  /** Say "Checking…" only if the answer takes long enough to notice. */
  function checking(ask) {
    clearTimeout(slow);
    slow = setTimeout(function () {
      if (ask === latest) show("checking");
    }, 300);
  }

  function show(kind, entry, how) {
    if (kind !== "checking") clearTimeout(slow);
    var tone = TONES[kind] || "unknown";
    var said = answerFor(kind, entry, how);
    var box = document.createElement("div");
    box.className = "answer answer-" + tone;
    box.setAttribute("data-answer", kind);
    var badge = document.createElement("div");
    badge.className = "answer-icon";
    badge.appendChild(icon(tone));
    var body = document.createElement("div");
    body.className = "answer-body";
    var title = document.createElement("h2");
    title.className = "answer-title";
    title.textContent = said.title;
    body.appendChild(title);
    said.lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      body.appendChild(p);
    });
    if (kind !== "checking" && kind !== "empty" && organisation.name) {
      var contact = document.createElement("p");
      contact.className = "contact-line";
      contact.textContent = contactLine();
      body.appendChild(contact);
    }
    box.appendChild(badge);
    box.appendChild(body);
    page.result.textContent = "";
    page.result.appendChild(box);
    // A chosen file's answer may be above the fold on a phone.
    if (kind !== "checking" && box.scrollIntoView) box.scrollIntoView({ block: "nearest" });
  }

  // --- checking -------------------------------------------------------------------

  function subtle() {
    return window.crypto && window.crypto.subtle;
  }

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function unhex(text) {
    var bytes = new Uint8Array(text.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(i * 2, 2), 16);
    return bytes;
  }

  /** A code as people type it (small letters, spaces, with or without its hyphen),
   * written properly ("K7QM-4XTD"); or null. */
  function normalCode(text) {
    var plain = String(text)
      .replace(/\s+/g, "")
      .replace(/[\u2010-\u2015\u2212]/g, "-")
      .toUpperCase();
    if (!/^[0-9A-Z]{4}-?[0-9A-Z]{4}$/.test(plain)) return null;
    plain = plain.replace("-", "");
    var out = "";
    for (var i = 0; i < plain.length; i++) {
      var c = LOOKALIKES[plain[i]] || plain[i];
      if (ALPHABET.indexOf(c) < 0) return null;
      out += c;
    }
    return out.slice(0, 4) + "-" + out.slice(4);
  }

  function keyOf(code) {
    if (keyCache[code]) return keyCache[code];
    var kdf = register.kdf;
    var encoder = new TextEncoder();
    keyCache[code] = subtle()
      .importKey("raw", encoder.encode(code), "PBKDF2", false, ["deriveBits"])
      .then(function (material) {
        return subtle().deriveBits(
          { name: "PBKDF2", hash: "SHA-256", salt: unhex(kdf.salt), iterations: kdf.iterations },
          material,
          256
        );
      })
      .then(hex);
    return keyCache[code];
  }

  function lookUp(code) {
    return keyOf(code).then(function (key) {
      return Object.prototype.hasOwnProperty.call(register.certificates, key)
        ? register.certificates[key]
        : null;
    });
  }

  function standing(entry) {
    return entry.status === "valid" ? "genuine" : entry.status;
  }

  function ready() {
    if (!register || !register.certificates || !register.kdf) {
      show("no-register");
      return false;
    }
    if (!subtle()) {
      show("insecure");
      return false;
    }
    return true;
  }

  function checkCode(text) {
    var ask = ++latest;
    if (!String(text).trim()) return show("empty");
    var code = normalCode(text);
    if (!code) return show("not-a-code");
    if (!ready()) return;
    checking(ask);
    return lookUp(code).then(
      function (entry) {
        if (ask !== latest) return;
        if (entry) show(standing(entry), entry, "code");
        else show("unknown-code");
      },
      function () {
        if (ask === latest) show("insecure");
      }
    );
  }

  function readBytes(file) {
    if (file.arrayBuffer) return file.arrayBuffer();
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(file);
    });
  }

  function latin1(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i += 8192) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    }
    return out;
  }

  function isPdf(bytes) {
    // The header may follow a little junk, as PDF readers allow.
    return latin1(bytes.subarray(0, 1024)).indexOf("%PDF-") >= 0;
  }

  function codesIn(bytes) {
    var text = latin1(bytes);
    var found = [];
    CODES_IN_FILE.forEach(function (pattern) {
      pattern.lastIndex = 0;
      var match;
      while ((match = pattern.exec(text)) && found.length < 20) {
        var code = normalCode(match[1].replace("\\055", "-"));
        if (code && found.indexOf(code) < 0) found.push(code);
      }
    });
    return found;
  }

  function issuedFile(digest) {
    if (!bySha) {
      bySha = {};
      Object.keys(register.certificates).forEach(function (key) {
        var entry = register.certificates[key];
        if (entry.sha256) bySha[entry.sha256.toLowerCase()] = entry;
      });
    }
    return Object.prototype.hasOwnProperty.call(bySha, digest) ? bySha[digest] : null;
  }

  function checkFile(file) {
    var ask = ++latest;
    if (!file) return;
    if (!ready()) return;
    if (file.size > MAX_FILE_BYTES) return show("too-large");
    checking(ask);
    return readBytes(file)
      .then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (!isPdf(bytes)) return ["not-a-pdf"];
        return subtle()
          .digest("SHA-256", buffer)
          .then(function (digest) {
            var entry = issuedFile(hex(digest));
            if (entry) return [standing(entry), entry];
            // Not a file that was issued: does it claim to be one of ours?
            var codes = codesIn(bytes);
            return codes.reduce(function (prior, code) {
              return prior.then(function (done) {
                return done || lookUp(code).then(function (claimed) {
                  return claimed ? ["altered", claimed] : null;
                });
              });
            }, Promise.resolve(null)).then(function (done) {
              return done || ["unknown-file"];
            });
          });
      })
      .then(
        function (answer) {
          if (ask === latest) show(answer[0], answer[1], "file");
        },
        function () {
          if (ask === latest) show("unreadable");
        }
      );
  }

  // --- where questions come from ----------------------------------------------------

  function codeInAddress() {
    var hash = location.hash.replace(/^#/, "");
    try {
      hash = decodeURIComponent(hash);
    } catch (error) {
      /* keep it as it is */
    }
    hash = hash.replace(/^code=/i, "");
    if (hash) return hash;
    // Certificates printed before the fragment form carry ?code=K7QM-4XTD.
    var match = /[?&]code=([^&#]*)/i.exec(location.search);
    if (!match) return "";
    try {
      return decodeURIComponent(match[1].replace(/\+/g, " "));
    } catch (error) {
      return match[1];
    }
  }

  function fromAddress() {
    var code = codeInAddress();
    if (!code) return;
    page.code.value = code.slice(0, 40);
    checkCode(code);
  }

  page.form.addEventListener("submit", function (event) {
    event.preventDefault();
    checkCode(page.code.value);
  });

  page.file.addEventListener("change", function () {
    var file = page.file.files && page.file.files[0];
    if (!file) return;
    page.code.value = ""; // the answer is about the file, not a code typed before
    checkFile(file);
    // Choosing the same file again should check it again.
    page.file.value = "";
  });

  // A file dropped anywhere on the page is checked, rather than opened by the browser in
  // place of the page.
  var dragDepth = 0;
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }
  document.addEventListener("dragenter", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth++;
    page.drop.classList.add("dragging");
  });
  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("dragleave", function () {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) page.drop.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    dragDepth = 0;
    page.drop.classList.remove("dragging");
    if (!hasFiles(event)) return;
    event.preventDefault();
    page.code.value = "";
    checkFile(event.dataTransfer.files[0]);
  });

  window.addEventListener("hashchange", fromAddress);
  fromAddress();
})();
