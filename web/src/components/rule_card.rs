//! The rule card: title, level and status, log source, target table, tags
//! (ATT&CK linked), false positives, description, author and references.
//! References are links only when they are http(s) URLs.

use sigmaplay_core::sigma::tags;
use yew::prelude::*;

use crate::analysis::{KqlOutput, RuleAnalysis};
use crate::components::labels::plural;
use crate::{is_web_link, Shared};

pub struct RuleCardProps {
    pub rule: Shared<RuleAnalysis>,
    pub kql: Shared<KqlOutput>,
}

fn level_class(level: &str) -> &'static str {
    match level.to_ascii_lowercase().as_str() {
        "informational" => "lv-informational",
        "low" => "lv-low",
        "medium" => "lv-medium",
        "high" => "lv-high",
        "critical" => "lv-critical",
        _ => "lv-other",
    }
}

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
pub fn rule_card(p: &RuleCardProps) -> Html {
    let Some(rule) = p.rule.parsed.rules.first() else {
        return html! {
            <section class="panel rule-card" aria-label="Rule">
                <p class="muted">{ if p.rule.has_errors { "The rule cannot be read yet: see Diagnostics." } else { "No rule yet: write one, or pick an example." } }</p>
            </section>
        };
    };
    let title = rule.title.as_ref().map(|t| t.value.clone()).unwrap_or_else(|| "(untitled rule)".into());
    let level = rule.level.as_ref().map(|l| l.value.clone());
    let status = rule.status.as_ref().map(|s| s.value.clone());
    let ls = &rule.logsource;
    let logsource: Vec<String> = [("product", ls.product()), ("category", ls.category()), ("service", ls.service())]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
        .collect();
    let tables = p.kql.tables.join(", ");
    let tags = rule.tags.iter().map(|t| {
        let tag = t.value.clone();
        match tags::describe_tag(&tag) {
            Some(info) if info.url.as_deref().is_some_and(|u| u.starts_with("https://")) => {
                let label = match &info.name {
                    Some(n) => format!("{} {n}", info.id),
                    None => info.id.clone(),
                };
                html! {
                    <li><a class="tag" href={info.url.clone().unwrap_or_default()} target="_blank" rel="noopener noreferrer" title={tag}>{ label }</a></li>
                }
            }
            Some(info) => html! { <li><span class="tag" title={tag}>{ info.name.clone().unwrap_or(info.id) }</span></li> },
            None => html! { <li><span class="tag tag-plain">{ tag }</span></li> },
        }
    });
    let fps = rule.falsepositives.iter().map(|f| html! { <li>{ f.value.clone() }</li> });
    let refs = rule.references.iter().map(|r| {
        let v = r.value.clone();
        if is_web_link(&v) {
            html! { <li><a href={v.trim().to_string()} target="_blank" rel="noopener noreferrer nofollow">{ v.clone() }</a></li> }
        } else {
            html! { <li>{ v }</li> }
        }
    });
    let more_rules = p.rule.parsed.rules.len().saturating_sub(1);
    html! {
        <section class="panel rule-card" aria-labelledby="rule-card-title">
            <div class="rc-head">
                <h2 id="rule-card-title" class="rc-title" data-testid="rule-title">{ title }</h2>
                if let Some(l) = level {
                    <span class={classes!("badge", level_class(&l))} title="level">{ l }</span>
                }
                if let Some(s) = status {
                    <span class="badge badge-status" title="status">{ s }</span>
                }
            </div>
            if more_rules > 0 {
                <p class="muted small">{ format!("+ {} in this file", plural(more_rules, "more rule", "more rules")) }</p>
            }
            <dl class="rc-facts">
                <dt>{ "Log source" }</dt>
                <dd>{ if logsource.is_empty() { "—".to_string() } else { logsource.join(" · ") } }</dd>
                <dt>{ "Target table" }</dt>
                <dd><code data-testid="target-table">{ if tables.is_empty() { "—".to_string() } else { tables } }</code></dd>
                if !rule.falsepositives.is_empty() {
                    <dt>{ "False positives" }</dt>
                    <dd><ul class="inline-list">{ for fps }</ul></dd>
                }
            </dl>
            if !rule.tags.is_empty() {
                <ul class="tags" aria-label="ATT&CK and other tags">{ for tags }</ul>
            }
            if rule.description.is_some() || !rule.references.is_empty() || rule.author.is_some() {
                <details class="rc-more">
                    <summary>{ "Description, author and references" }</summary>
                    if let Some(d) = &rule.description {
                        <p class="rc-desc">{ d.value.clone() }</p>
                    }
                    if let Some(a) = &rule.author {
                        <p class="rc-desc"><span class="muted">{ "Author: " }</span>{ a.value.clone() }</p>
                    }
                    if !rule.references.is_empty() {
                        <h3 class="rc-sub">{ "References" }</h3>
                        <ul class="plain-list refs">{ for refs }</ul>
                    }
                </details>
            }
        </section>
    }
}
