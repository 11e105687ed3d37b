/* Progressive enhancement of démarches forms: every page works without this file.
   A field whose condition depends on an answer of the same page carries data-condition (the
   condition as JSON, same format as the server's) and data-scope (the input-name prefix of its
   repeat item). This script hides it while the condition does not hold and shows it again as
   soon as it does; the server ignores the answers of hidden fields anyway. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-conditions]");
  if (!form) { return; }
  var guarded = form.querySelectorAll("[data-condition]");
  if (!guarded.length) { return; }

  function inputs(name, scope) {
    var candidates = [];
    if (scope) { candidates.push(scope + name, scope + name + "-text"); }
    candidates.push("field-" + name, "field-" + name + "-text");
    for (var i = 0; i < candidates.length; i++) {
      var found = form.querySelectorAll('[name="' + candidates[i] + '"]');
      if (found.length) { return found; }
    }
    return [];
  }

  function valueOf(name, scope) {
    var found = inputs(name, scope);
    if (!found.length) { return null; }
    var first = found[0];
    if (first.type === "radio") {
      for (var i = 0; i < found.length; i++) { if (found[i].checked) { return found[i].value; } }
      return null;
    }
    if (first.type === "checkbox") {
      if (first.getAttribute("data-kind") !== "multichoice") { return first.checked; }
      var checked = [];
      for (var j = 0; j < found.length; j++) { if (found[j].checked) { checked.push(found[j].value); } }
      return checked;
    }
    return first.value;
  }

  function filled(value) {
    return !(value === null || value === "" || value === false ||
             (Array.isArray(value) && value.length === 0));
  }

  function matches(value, expected) {
    if (Array.isArray(value)) { return value.indexOf(String(expected)) !== -1; }
    if (value === null) { return expected === null || expected === ""; }
    return String(value) === String(expected);
  }

  function number(value) {
    var parsed = parseFloat(String(value).replace(",", "."));
    return isNaN(parsed) ? null : parsed;
  }

  function holds(condition, scope) {
    if (!condition) { return true; }
    var k;
    if (condition.all) {
      for (k = 0; k < condition.all.length; k++) { if (!holds(condition.all[k], scope)) { return false; } }
      return true;
    }
    if (condition.any) {
      for (k = 0; k < condition.any.length; k++) { if (holds(condition.any[k], scope)) { return true; } }
      return false;
    }
    var value = valueOf(condition.field, scope);
    var expected = condition.value;
    switch (condition.op) {
      case "equals": return matches(value, expected);
      case "not_equals": return !matches(value, expected);
      case "in":
        var options = Array.isArray(expected) ? expected : [expected];
        for (k = 0; k < options.length; k++) { if (matches(value, options[k])) { return true; } }
        return false;
      case "contains": return Array.isArray(value) && value.indexOf(String(expected)) !== -1;
      case "checked": return value === true;
      case "not_checked": return value !== true;
      case "filled": return filled(value);
      case "empty": return !filled(value);
      case "gt": case "lt":
        var left = number(value), right = number(expected);
        if (left === null || right === null) { return false; }
        return condition.op === "gt" ? left > right : left < right;
    }
    return true;
  }

  function refresh() {
    for (var i = 0; i < guarded.length; i++) {
      var element = guarded[i];
      var condition;
      try { condition = JSON.parse(element.getAttribute("data-condition")); } catch (error) { continue; }
      element.hidden = !holds(condition, element.getAttribute("data-scope") || "");
    }
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
