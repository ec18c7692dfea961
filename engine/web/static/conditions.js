/* Hide and show form fields by their form-js condition while the user fills in the form.

   The server renders every field of a condition inside a container with
   data-hide-when="<FEEL expression>", and without JavaScript all of them show. This script
   reads the simple FEEL that our forms use: names and dotted names, string, number and
   boolean literals, null, = != < > <= >=, not(...), and, or, and parentheses. It follows
   FEEL's null logic like engine/forms/feel.py: only a result of exactly true hides the
   container. An expression outside that subset leaves the container visible, and the
   server decides on submit either way. */
(function () {
  "use strict";

  var TOKEN = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|(<=|>=|!=|[=<>().])|([\p{L}_][\p{L}\p{N}_]*))/uy;
  var COMPARISONS = ["=", "!=", "<", ">", "<=", ">="];

  function tokenize(source) {
    var tokens = [];
    var text = source.trim();
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < text.length) {
      var start = TOKEN.lastIndex;
      var match = TOKEN.exec(text);
      if (match === null || TOKEN.lastIndex === start) {
        throw new SyntaxError("unexpected text at " + start);
      }
      if (match[1] !== undefined) {
        tokens.push({ kind: "number", value: Number(match[1]) });
      } else if (match[2] !== undefined) {
        tokens.push({ kind: "string", value: JSON.parse(match[2]) });
      } else if (match[3] !== undefined) {
        tokens.push({ kind: "op", value: match[3] });
      } else {
        tokens.push({ kind: "name", value: match[4] });
      }
    }
    return tokens;
  }

  /* Parse into a function of a lookup(name) that returns the field's value or null. */
  function parse(source) {
    var expression = source.trim();
    if (expression.charAt(0) !== "=") {
      throw new SyntaxError("a condition starts with =");
    }
    var tokens = tokenize(expression.slice(1));
    var position = 0;

    function peek() { return tokens[position]; }
    function isOp(value) {
      var token = peek();
      return token !== undefined && token.kind === "op" && token.value === value;
    }
    function isWord(value) {
      var token = peek();
      return token !== undefined && token.kind === "name" && token.value === value;
    }
    function expect(value) {
      if (!isOp(value)) { throw new SyntaxError("expected " + value); }
      position += 1;
    }

    function disjunction() {
      var left = conjunction();
      while (isWord("or")) {
        position += 1;
        left = logical(left, conjunction(), false);
      }
      return left;
    }
    function conjunction() {
      var left = comparison();
      while (isWord("and")) {
        position += 1;
        left = logical(left, comparison(), true);
      }
      return left;
    }
    function comparison() {
      var left = unary();
      var token = peek();
      if (token !== undefined && token.kind === "op" && COMPARISONS.indexOf(token.value) >= 0) {
        position += 1;
        return compare(token.value, left, unary());
      }
      return left;
    }
    function unary() {
      if (isWord("not")) {
        position += 1;
        expect("(");
        var inner = disjunction();
        expect(")");
        return function (lookup) {
          var value = inner(lookup);
          return typeof value === "boolean" ? !value : null;
        };
      }
      return primary();
    }
    function primary() {
      var token = peek();
      if (token === undefined) { throw new SyntaxError("unexpected end"); }
      position += 1;
      if (token.kind === "number" || token.kind === "string") {
        return function () { return token.value; };
      }
      if (token.kind === "op" && token.value === "(") {
        var inner = disjunction();
        expect(")");
        return inner;
      }
      if (token.kind !== "name" || ["and", "or", "not"].indexOf(token.value) >= 0) {
        throw new SyntaxError("unexpected " + token.value);
      }
      if (token.value === "true" || token.value === "false") {
        var flag = token.value === "true";
        return function () { return flag; };
      }
      if (token.value === "null") {
        return function () { return null; };
      }
      var path = token.value;
      while (isOp(".")) {
        position += 1;
        var part = peek();
        if (part === undefined || part.kind !== "name") { throw new SyntaxError("expected a name"); }
        position += 1;
        path += "." + part.value;
      }
      return function (lookup) { return lookup(path); };
    }

    var evaluate = disjunction();
    if (position !== tokens.length) {
      throw new SyntaxError("unexpected " + tokens[position].value);
    }
    return evaluate;
  }

  function logical(left, right, isAnd) {
    return function (lookup) {
      var values = [left(lookup), right(lookup)];
      var decisive = !isAnd;
      if (values[0] === decisive || values[1] === decisive) { return decisive; }
      if (values[0] === !decisive && values[1] === !decisive) { return !decisive; }
      return null;
    };
  }

  function compare(operator, left, right) {
    return function (lookup) {
      var a = left(lookup);
      var b = right(lookup);
      if (operator === "=" || operator === "!=") {
        var equal = equals(a, b);
        if (equal === null) { return null; }
        return operator === "=" ? equal : !equal;
      }
      var sameKind = (typeof a === "number" && typeof b === "number") ||
        (typeof a === "string" && typeof b === "string");
      if (!sameKind) { return null; }
      if (operator === "<") { return a < b; }
      if (operator === ">") { return a > b; }
      if (operator === "<=") { return a <= b; }
      return a >= b;
    };
  }

  function equals(a, b) {
    if (a === null || b === null) { return a === null && b === null; }
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.length === b.length && a.every(function (item, index) {
        return equals(item, b[index]) === true;
      });
    }
    if (typeof a !== typeof b) { return null; }
    return a === b;
  }

  /* Read the form's current values by input name, as the server reads a post. */
  function formValues(form) {
    var values = {};
    var boxes = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "hidden" || element.type === "submit") { return; }
      if (element.type === "checkbox") {
        (boxes[element.name] = boxes[element.name] || []).push(element);
      } else if (element.type === "radio") {
        if (!(element.name in values)) { values[element.name] = null; }
        if (element.checked) { values[element.name] = element.value; }
      } else if (element.tagName === "SELECT") {
        values[element.name] = element.value === "" ? null : element.value;
      } else if (element.getAttribute("inputmode") === "decimal") {
        values[element.name] = parseNumber(element.value);
      } else {
        values[element.name] = element.value.trim();
      }
    });
    Object.keys(boxes).forEach(function (name) {
      var group = boxes[name];
      if (group.length === 1 && group[0].value === "true") {
        values[name] = group[0].checked;
      } else {
        values[name] = group.filter(function (box) { return box.checked; })
          .map(function (box) { return box.value; });
      }
    });
    return values;
  }

  function parseNumber(text) {
    var cleaned = text.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(cleaned)) { return null; }
    return Number(cleaned);
  }

  /* The row prefix of a container inside a dynamic list row, such as "tiltak[0].". */
  function rowPrefix(container) {
    var named = container.querySelector("[name]");
    if (named === null) { return ""; }
    var match = /^(.*\])\./.exec(named.name);
    return match ? match[1] + "." : "";
  }

  function lookupIn(values, prefix) {
    return function (path) {
      var name = path.indexOf("this.") === 0 ? path.slice(5) : path;
      if (prefix && (prefix + name) in values) { return values[prefix + name]; }
      return name in values ? values[name] : null;
    };
  }

  function refresh(form, conditions) {
    var values = formValues(form);
    conditions.forEach(function (condition) {
      var hide = false;
      try {
        hide = condition.evaluate(lookupIn(values, condition.prefix)) === true;
      } catch (error) {
        hide = false;
      }
      condition.container.hidden = hide;
    });
  }

  function watch(form) {
    var conditions = [];
    form.querySelectorAll("[data-hide-when]").forEach(function (container) {
      try {
        conditions.push({ container: container, prefix: rowPrefix(container),
                          evaluate: parse(container.getAttribute("data-hide-when")) });
      } catch (error) {
        /* Unknown syntax: the container stays visible. */
      }
    });
    if (conditions.length === 0) { return; }
    refresh(form, conditions);
    form.addEventListener("input", function () { refresh(form, conditions); });
    form.addEventListener("change", function () { refresh(form, conditions); });
  }

  function start() {
    document.querySelectorAll("form").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
