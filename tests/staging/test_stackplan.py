"""A stage stack's own prefix/domain, and the app secrets it hands to `inv deploy`."""

from __future__ import annotations

import re

import yaml

from staging.stackplan import DEFAULT_STRIPE_SECRET_ID, name_prefix, plan_for, secret_env_var

PREFIX_RULE = re.compile(r"^[a-z][a-z0-9-]{1,14}$")  # infra.config name_prefix


def test_prefixes_fit_the_infra_rule_and_stay_distinct():
    names = [
        "staging-1",
        "staging-pr-42",
        "staging-12345678901",
        "staging-" + "a" * 24,
        "staging-" + "b" * 24,
    ]
    prefixes = [name_prefix(n) for n in names]
    assert all(PREFIX_RULE.match(p) for p in prefixes), prefixes
    assert len(set(prefixes)) == len(prefixes)
    assert prefixes[:3] == ["st-1", "st-pr-42", "st-12345678901"]


def test_plan_reads_the_example_domain_and_every_app_secret(tmp_path):
    (tmp_path / "Pulumi.staging.yaml").write_text(
        yaml.safe_dump({"config": {"twenty-gcp:domain": "crm.x.io"}})
    )
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "apps.yaml").write_text(
        yaml.safe_dump(
            {
                "apps": [
                    {"name": "stripe-synchronizer", "secrets": {"STRIPE_WEBHOOK_SECRET": "stripe-whsec"}},
                    {"name": "fireflies", "secrets": {"FIREFLIES_API_KEY": "ff-key"}},
                    {"name": "rollup-engine"},
                ]
            }
        )
    )
    plan = plan_for("staging-9", tmp_path)
    assert plan.overrides == {"twenty-gcp:namePrefix": "st-9", "twenty-gcp:domain": "st-9.crm.x.io"}
    assert plan.app_secret_ids == ("stripe-whsec", "ff-key")
    assert plan.stripe_secret_id == "stripe-whsec"


def test_plan_without_apps_still_has_the_stripe_secret(tmp_path):
    plan = plan_for("staging-9", tmp_path)
    assert plan.app_secret_ids == (DEFAULT_STRIPE_SECRET_ID,)
    assert plan.overrides == {"twenty-gcp:namePrefix": "st-9"}


def test_env_names_are_the_ones_inv_deploy_reads():
    assert secret_env_var("twenty-app-stripe-webhook-secret") == "TWENTY_APP_STRIPE_WEBHOOK_SECRET"
