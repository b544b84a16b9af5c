// Editor code shared by every TP-Link node, served by Node-RED from this
// package's resources/ folder and loaded by each node's .html beside
// tplink-rules.js (the value rules and flow migration the runtime also runs;
// Node-RED may run the two in either order, so nothing here uses them on load):
// - TplinkEditor: validate functions from the shared rules, and the migration of
//   nodes saved by older versions as the editor adds them;
// - TplinkDeviceEditor: discovery for the config dialog;
// - TplinkOutletPicker: an outlet picker for the action nodes;
// - TplinkRuleEditor: what the rule dialogs (schedule, anti-theft, countdown) share.
(function () {
  var NS = 'node-red-contrib-tplink-smartplug/tplink-device:tplink-device.';
  function t(key, opts) { return RED._(NS + key, opts); }
  function errorText(xhr) {
    var body = xhr && xhr.responseJSON;
    if (body && body.error) return body.error;
    if (xhr && (xhr.status === 401 || xhr.status === 403)) return t('errors.permission');
    return t('errors.request', { status: xhr ? xhr.status : '?' });
  }

  // --- Every node ------------------------------------------------------------
  function blank(v) { return v === undefined || v === null || String(v).trim() === ''; }
  function shared(name) {
    // Loud on purpose: without them every validate function would be wrong.
    if (!window[name]) throw new Error(name + ' missing: load resources/node-red-contrib-tplink-smartplug/tplink-rules.js');
    return window[name];
  }

  var previous = window.TplinkEditor; // from an earlier load of this file
  window.TplinkEditor = {
    /** A validate function from the rule the runtime applies too (common/rules.ts). */
    rule: function (name) {
      var rules = shared('TplinkRules');
      if (!rules.RULES[name]) throw new Error('no TP-Link value rule named ' + name);
      return function (v) { return rules.valid(name, v); };
    },
    /** Blank, or trimmed text that matches `test` (a RegExp, or a function of the text). */
    blankOr: function (test) {
      var ok = typeof test === 'function' ? test : function (s) { return test.test(s); };
      return function (v) { return blank(v) || ok(String(v).trim()); };
    }
  };

  // Nodes saved by an older version (and nodes from the palette, which carry no
  // version yet) are brought to the current shape as the editor adds them, as the
  // runtime does at deploy (common/migrate.ts): dialogs and validate functions see
  // current settings, and the next deploy saves them with the current version.
  var MODULE = 'node-red-contrib-tplink-smartplug';
  function upgrade(node) {
    var def = node && node._def;
    if (!def || !def.set || def.set.module !== MODULE) return;
    var migration = shared('TplinkMigrate');
    if (migration.versionOf(node) >= migration.CURRENT_VERSION) return;
    var before = {};
    Object.keys(def.defaults).forEach(function (k) { before[k] = node[k]; });
    var after = migration.migrate(node.type, before);
    Object.keys(after).forEach(function (k) { if (after[k] !== before[k]) node[k] = after[k]; });
  }
  // Each node's .html loads this file: one listener, not one per load.
  if (previous && previous.upgrade) RED.events.off('nodes:add', previous.upgrade);
  RED.events.on('nodes:add', upgrade);
  window.TplinkEditor.upgrade = upgrade;

  // --- Search button in the tplink-device dialog ---------------------------
  /** The badge under a result: protocol, and whether it needs the owner's account. */
  function protocolText(d) {
    var p = t('search.protocol.' + (d.protocol || 'legacy'));
    return d.needsAuth ? p + ' · ' + t('search.needsAccount') : p;
  }

  /** Sets the protocol select (when this build has one) and says whether an account is needed. */
  function applyProtocol(d, notice) {
    var select = $('#node-config-input-protocol');
    if (select.length && d.protocol && select.find('option[value="' + d.protocol + '"]').length) {
      select.val(d.protocol).trigger('change');
    }
    notice.empty().toggle(!!d.needsAuth);
    if (d.needsAuth) {
      $('<i class="fa fa-key"></i>').appendTo(notice);
      $('<span>').text(' ' + t('search.enterAccount', { protocol: t('search.protocol.' + d.protocol) })).appendTo(notice);
    }
  }

  function renderDevices(list, devices, notice) {
    list.empty();
    if (!devices.length) {
      $('<li class="tplink-search-empty">').text(t('search.none')).appendTo(list);
      return;
    }
    devices.forEach(function (d) {
      var li = $('<li class="tplink-search-item" tabindex="0">').attr('data-protocol', d.protocol || 'legacy').appendTo(list);
      // A device heard on 20002 only tells no alias: say so rather than show "?".
      $('<b>').text(d.aliasKnown === false ? t('search.noAlias') : (d.alias || '?')).appendTo(li);
      $('<span>').text(' ' + d.model).appendTo(li);
      $('<span class="tplink-search-protocol">').text(' · ' + protocolText(d)).appendTo(li);
      $('<div class="tplink-search-detail">')
        .text(d.host + ':' + d.port + ' · ' + d.mac + (d.outlets > 1 ? ' · ' + t('search.outlets', { count: d.outlets }) : ''))
        .appendTo(li);
      li.on('click keydown', function (e) {
        if (e.type === 'keydown' && e.key !== 'Enter') return;
        list.children().removeClass('selected');
        li.addClass('selected');
        $('#node-config-input-host').val(d.host).trigger('change');
        $('#node-config-input-port').val(d.port).trigger('change');
        // A Tapo / SMART Kasa answer (20002 discovery says its dialect): protocol smart.
        if (d.dialect === 'smart') $('#node-config-input-protocol').val('smart').trigger('change');
        $('#node-config-input-mac').val(d.mac).trigger('change');
        $('#node-config-input-deviceId').val(d.deviceId).trigger('change');
        applyProtocol(d, notice);
        var name = $('#node-config-input-name');
        if (!name.val() && d.alias) name.val(d.alias).trigger('change');
      });
    });
  }

  function search(button, list, info, notice) {
    var params = {
      broadcast: String($('#node-config-input-broadcast').val() || '255.255.255.255').trim(),
      port: String($('#node-config-input-discoveryPort').val() || '9999').trim(),
      port20002: String($('#node-config-input-discoveryPort20002').val() || '20002').trim(),
      timeout: 3000
    };
    button.prop('disabled', true);
    list.empty();
    notice.empty().hide();
    info.text(t('search.searching', { broadcast: params.broadcast, port: params.port, port20002: params.port20002 }));
    $.ajax({ url: 'tplink-smartplug/discover?' + $.param(params), method: 'POST', dataType: 'json' })
      .done(function (data) {
        info.text(t('search.found', { count: data.devices.length }) +
          (data.rejected && data.rejected.length ? ' ' + t('search.ignored', { count: data.rejected.length }) : ''));
        renderDevices(list, data.devices, notice);
      })
      .fail(function (xhr) { info.text(errorText(xhr)); })
      .always(function () { button.prop('disabled', false); });
  }

  function showBinding() {
    var by = $('#node-config-input-findBy').val() || 'host';
    $('.tplink-row-mac').toggle(by === 'mac');
    $('.tplink-row-deviceId').toggle(by === 'deviceId');
    // re-validate: host may be empty now, MAC / device id may be needed
    $('#node-config-input-host, #node-config-input-mac, #node-config-input-deviceId').trigger('change');
  }

  // --- Protocol, account and what answered ----------------------------------
  var PORT_HINT = { auto: '9999, then 80', legacy: '9999', klap: '80', smart: '80' };
  function showProtocol() {
    var p = $('#node-config-input-protocol').val() || 'auto';
    $('.tplink-row-account').toggle(p !== 'legacy');
    $('.tplink-row-transport').toggle(p === 'legacy'); // UDP is a legacy-only choice
    $('#node-config-input-port').attr('placeholder', PORT_HINT[p] || '');
  }

  /** "found: KLAP (v2 hash, port 80)" from the admin route's `protocol` (names and numbers only). */
  function foundText(f) {
    if (!f) return t('found.label', { what: t('found.none') });
    var what = f.protocol === 'klap'
      ? t(f.defaultAccount ? 'found.klapDefault' : 'found.klap', { hash: f.hashVersion, port: f.port })
      : f.protocol === 'legacy' ? t('found.legacy', { port: f.port })
        : f.protocol === 'smart' ? t('found.smart', { transport: String(f.transport).toUpperCase(), port: f.port }) : f.protocol;
    return t('found.label', { what: what });
  }

  /** Asks the deployed node what answered it; an undeployed or changed node has nothing to say yet. */
  function showFound(node) {
    var out = $('#tplink-device-protocol-found');
    if (!node.id || node.changed || !RED.nodes.node(node.id)) { out.text(''); return; }
    out.text(t('found.asking'));
    $.ajax({ url: 'tplink-smartplug/device/' + encodeURIComponent(node.id) + '/outlets', dataType: 'json' })
      .done(function (data) { out.text(foundText(data.protocol)); })
      .fail(function (xhr) { out.text(xhr.status === 404 ? '' : errorText(xhr)); });
  }

  window.TplinkDeviceEditor = {
    foundText: foundText,
    prepare: function (node) {
      if (!node.protocol) $('#node-config-input-protocol').val('auto');
      $('#node-config-input-protocol').on('change', showProtocol);
      showProtocol();
      showFound(node);
      if (!node.findBy) $('#node-config-input-findBy').val('host');
      if (!$('#node-config-input-broadcast').val()) $('#node-config-input-broadcast').val('255.255.255.255');
      if (!$('#node-config-input-discoveryPort').val()) $('#node-config-input-discoveryPort').val(9999);
      if (!$('#node-config-input-discoveryPort20002').val()) $('#node-config-input-discoveryPort20002').val(20002);
      $('#node-config-input-findBy').on('change', showBinding);
      showBinding();
      var button = $('#tplink-device-search');
      var list = $('#tplink-device-search-results');
      var info = $('#tplink-device-search-info');
      // Where the dialog tells the user to enter the account of a device that needs one.
      var notice = $('#tplink-device-search-account');
      if (!notice.length) notice = $('<div id="tplink-device-search-account" class="form-tips tplink-search-account">').hide().insertAfter(list);
      button.on('click', function (e) { e.preventDefault(); search(button, list, info, notice); });
    }
  };

  // --- Outlet picker for action nodes --------------------------------------
  // A select (whole device / each outlet / other child id) next to the node's
  // outlet text field. The text field stays visible and is the saved value:
  // picking an outlet writes its index there; typing updates the select.
  var CUSTOM = '__custom';

  function fetchOutlets(configId) {
    var cfg = RED.nodes.node(configId);
    var direct = function () {
      if (!cfg || !cfg.host) return $.Deferred().reject({ responseJSON: { error: t('picker.deployFirst') } }).promise();
      // The account is only used by the deployed node (it never travels in a query string).
      if (cfg.protocol === 'klap') return $.Deferred().reject({ responseJSON: { error: t('picker.deployKlap') } }).promise();
      return $.ajax({ url: 'tplink-smartplug/outlets?' + $.param({ host: cfg.host, port: cfg.port || '', protocol: cfg.protocol || 'auto' }), dataType: 'json' });
    };
    // Changed, not deployed yet: ask the address in the dialog, not the running node.
    if (!cfg || cfg.changed) return direct();
    var d = $.Deferred();
    $.ajax({ url: 'tplink-smartplug/device/' + encodeURIComponent(configId) + '/outlets', dataType: 'json' })
      .done(function (data) { d.resolve(data); })
      .fail(function (xhr) {
        if (xhr.status === 404) direct().done(d.resolve).fail(d.reject);
        else d.reject(xhr);
      });
    return d.promise();
  }

  // What a SMART (Tapo) device lacks (the shared rules' SMART_UNAVAILABLE): greyed out; the runtime refuses them too.
  function offerOnly(type, data) {
    var off = data.dialect === 'smart' ? shared('TplinkRules').SMART_UNAVAILABLE[type] || {} : {};
    ['action', 'operation'].forEach(function (field) {
      // Only options greyed out here are let go again: the node's own rules (erase, destructive) keep theirs.
      $('#node-input-' + field + ' option').each(function () {
        var el = $(this);
        if ((off[field] || []).indexOf(el.val()) >= 0) {
          if (!el.prop('disabled')) el.attr('data-tplink-lacks', '1').prop('disabled', true);
        } else if (el.attr('data-tplink-lacks')) el.removeAttr('data-tplink-lacks').prop('disabled', false);
      });
    });
  }

  window.TplinkOutletPicker = {
    attach: function (node, inputId) {
      var input = $('#' + inputId);
      if (!input.length || input.data('tplinkPicker')) return;
      input.data('tplinkPicker', true);
      var box = $('<div class="tplink-outlet-picker" style="display:inline-block;width:70%;vertical-align:top">').insertAfter(input);
      var select = $('<select style="width:calc(100% - 40px)">').appendTo(box);
      var refresh = $('<button type="button" class="red-ui-button" style="margin-left:4px"><i class="fa fa-refresh"></i></button>')
        .attr('title', t('picker.refresh')).appendTo(box);
      input.detach().appendTo(box).css({ width: '100%', 'margin-top': '4px' });
      var info = $('<div class="form-tips" style="margin-top:4px;display:none">').appendTo(box);
      var outlets = [];
      var wantCustom = false; // the user picked "other child id…" and may not have typed yet

      /** Shows in the select what the text field holds. */
      function sync() {
        var v = String(input.val() || '').trim();
        var match = outlets.filter(function (o) {
          return (shared('TplinkRules').OUTLET_INDEX.test(v) && o.index === Number(v)) || o.id.toUpperCase() === v.toUpperCase();
        })[0];
        select.val(v === '' ? (wantCustom ? CUSTOM : '') : match ? String(match.index) : CUSTOM);
      }

      function fill() {
        select.empty();
        $('<option>').val('').text(t('picker.whole')).appendTo(select);
        outlets.forEach(function (o) {
          $('<option>').val(String(o.index))
            .text(o.index + ': ' + (o.alias || o.id) + (o.on ? ' (' + t('picker.on') + ')' : ''))
            .appendTo(select);
        });
        $('<option>').val(CUSTOM).text(t('picker.custom')).appendTo(select);
        sync();
      }

      var asked = 0;
      var loadedFor = null;
      function load(force) {
        var id = $('#node-input-device').val();
        // The config select fires "change" several times while it is filled: ask once per device.
        if (force !== true && id === loadedFor) return;
        loadedFor = id;
        var mine = ++asked; // a late answer for another device must not win
        outlets = [];
        fill();
        if (!id || id === '_ADD_') { info.hide(); return; }
        info.text(t('picker.loading')).show();
        fetchOutlets(id)
          .done(function (data) {
            if (mine !== asked) return;
            outlets = data.outlets || [];
            fill();
            offerOnly(node.type, data);
            var dialect = data.dialect === 'smart' ? t('picker.smart', { model: data.model || '' }) : '';
            if (outlets.length) { if (dialect) info.text(dialect).show(); else info.hide(); }
            else info.text((dialect ? dialect + ' ' : '') + t('picker.single', { model: data.model || '' })).show();
          })
          .fail(function (xhr) { if (mine === asked) info.text(errorText(xhr)).show(); });
      }

      select.on('change', function () {
        var v = select.val();
        wantCustom = v === CUSTOM;
        if (wantCustom) { input.trigger('focus'); return; }
        input.val(v).trigger('change');
      });
      input.on('input keyup change', sync);
      refresh.on('click', function (e) { e.preventDefault(); load(true); });
      $('#node-input-device').on('change', function () { load(); });
      // The config node select may be filled after oneditprepare: load once it settles.
      setTimeout(load, 0);
    }
  };

  // --- Rule dialogs: tplink-schedule, tplink-antitheft, tplink-countdown ---
  // Their templates mark rows with classes named after the node type T:
  // T-id (rule id), T-rule (the rule's fields), T-days / T-date (weekly or
  // one-off), T-offset (minutes from sunrise/sunset, beside its clock field);
  // and an empty .tplink-weekdays, beside the hidden days field, for the boxes.
  var DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']; // the order `days` is saved in
  var WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']; // the order the boxes are shown in
  var RULE_OPS = ['msg', 'add', 'edit'];
  var ID_OPS = ['msg', 'edit', 'delete'];

  window.TplinkRuleEditor = {
    /**
     * From oneditprepare: a checkbox per weekday, ticked from node.days, and
     * only the rows that apply, now and whenever operation, repeat or a clock's
     * type changes. opts.clocks: clock fields by name, each a `<name>Type`
     * select (time / sunrise / sunset) and a `<name>` time field, shown for
     * "time". opts.more(op): the node's own rows, on each change.
     */
    prepare: function (node, opts) {
      var T = '.' + node.type;
      var clocks = opts.clocks || [];
      var chosen = String(node.days || '').split(',');
      var box = $('.tplink-weekdays');
      WEEK.forEach(function (d) {
        var label = $('<label style="width:auto;margin-right:8px"><input type="checkbox" style="width:auto;vertical-align:top" autocomplete="off"> <span></span></label>');
        label.find('input').attr('id', 'node-input-day-' + d).prop('checked', chosen.indexOf(d) >= 0);
        label.find('span').text(node._(node.type + '.day.' + d));
        box.append(label, ' ');
      });
      function show() {
        var op = $('#node-input-operation').val();
        $(T + '-id').toggle(ID_OPS.indexOf(op) >= 0);
        $(T + '-rule').toggle(RULE_OPS.indexOf(op) >= 0);
        if (opts.more) opts.more(op);
        if (RULE_OPS.indexOf(op) < 0) return;
        clocks.forEach(function (c) {
          var atTime = $('#node-input-' + c + 'Type').val() === 'time';
          $('#node-input-' + c).toggle(atTime).siblings(T + '-offset').toggle(!atTime);
        });
        var once = $('#node-input-repeat').val() === 'once';
        $(T + '-date').toggle(once);
        $(T + '-days').toggle(!once);
      }
      var selects = ['operation', 'repeat'].concat(clocks.map(function (c) { return c + 'Type'; }));
      $(selects.map(function (id) { return '#node-input-' + id; }).join(', ')).on('change', show);
      show();
    },
    /** From oneditsave: the ticked weekdays into the hidden days field ("sun,mon,…"). */
    save: function () {
      if (!$('#node-input-day-mon').length) return; // no boxes: keep days as they were
      $('#node-input-days').val(DAYS.filter(function (d) { return $('#node-input-day-' + d).prop('checked'); }).join(','));
    }
  };
})();
