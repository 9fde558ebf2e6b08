"""The add-in manifest the server gives IT, checked offline against the rules of Microsoft's manifest schemas.

Microsoft's validator (``npx office-addin-manifest validate``) posts the file to an online service, and the npm
packages checked (office-addin-manifest 3.0.0, office-addin-manifest-converter 0.4.1, office-addin-validator 1.0.5)
ship no .xsd, so this checks what the schemas (OfficeApp 1.1, TaskPaneAppVersionOverrides 1.0, basic types 1.0)
require of this manifest: element order, a GUID id, a four-part version, https URLs, every resid pointing to a
resource of the right kind, string lengths (ShortString 125, LongString 250), unique control ids, and each
button's function bound by the task pane's ribbon.js.
"""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient  # noqa: E402
from lxml import etree

from ofsted_tracker.addin.server import PROJECT_DIR  # noqa: E402
from ofsted_tracker.addin.server import app as server_app  # noqa: E402

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XSI_TYPE = f"{{{NS['xsi']}}}type"
# OfficeApp's children in the order the 1.1 schema's sequence gives them (those this manifest uses)
ORDER = [
    "Id",
    "Version",
    "ProviderName",
    "DefaultLocale",
    "DisplayName",
    "Description",
    "IconUrl",
    "HighResolutionIconUrl",
    "SupportUrl",
    "AppDomains",
    "Hosts",
    "Requirements",
    "DefaultSettings",
    "Permissions",
    "VersionOverrides",
]


@pytest.fixture(scope="module", params=["no sign-in", "entraid"])
def manifest(request: pytest.FixtureRequest) -> etree._Element:
    settings = server_app.settings
    saved = (settings.auth_providers, settings.auth_entraid_client_id, settings.hostname)
    settings.hostname = "addin.council.example"  # the manifest's host comes from the settings
    if request.param == "entraid":
        settings.auth_providers, settings.auth_entraid_client_id = ["entraid"], str(uuid.uuid4())
    try:
        response = TestClient(server_app.app, base_url="https://addin.council.example").get(
            "/manifest.xml"
        )
    finally:
        settings.auth_providers, settings.auth_entraid_client_id, settings.hostname = saved
    assert response.status_code == 200
    return etree.fromstring(response.content)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def test_the_root_and_its_children_are_in_the_schemas_order(manifest: etree._Element) -> None:
    assert manifest.tag == f"{{{NS['o']}}}OfficeApp" and manifest.get(XSI_TYPE) == "TaskPaneApp"
    children = [_local(c) for c in manifest if isinstance(c.tag, str)]
    assert children == ORDER
    uuid.UUID(manifest.findtext("o:Id", namespaces=NS))
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", manifest.findtext("o:Version", namespaces=NS))
    assert manifest.find("o:Permissions", NS).text == "ReadWriteDocument"
    assert [h.get("Name") for h in manifest.findall("o:Hosts/o:Host", NS)] == ["Workbook"]


def test_every_url_is_https(manifest: etree._Element) -> None:
    urls = [
        e.get("DefaultValue")
        for e in manifest.iter()
        if isinstance(e.tag, str)
        and _local(e)
        in ("IconUrl", "HighResolutionIconUrl", "SupportUrl", "SourceLocation", "Image", "Url")
        and e.get("DefaultValue")
    ]
    assert urls and all(u.startswith("https://addin.council.example/") for u in urls), urls


def test_every_resid_names_a_resource_of_the_right_kind(manifest: etree._Element) -> None:
    resources = manifest.find("v:VersionOverrides/v:Resources", NS)
    kinds = {
        kind: {e.get("id"): e.get("DefaultValue") for e in resources.find(f"bt:{kind}", NS)}
        for kind in ("Images", "Urls", "ShortStrings", "LongStrings")
    }
    need = {
        "Label": "ShortStrings",
        "Title": "ShortStrings",
        "Description": "LongStrings",
        "Image": "Images",
        "SourceLocation": "Urls",
        "FunctionFile": "Urls",
        "Runtime": "Urls",
    }
    used = [
        (e, need[_local(e)])
        for e in manifest.find("v:VersionOverrides", NS).iter()
        if isinstance(e.tag, str) and e.get("resid")
    ]
    assert len(used) > 20
    for element, kind in used:
        assert element.get("resid") in kinds[kind], (
            f"{_local(element)} resid={element.get('resid')} not in {kind}"
        )
        assert len(element.get("resid")) <= 32  # the schemas' limit on an id
    assert all(len(v) <= 125 for v in kinds["ShortStrings"].values())
    assert all(len(v) <= 250 for v in kinds["LongStrings"].values())


def test_the_tab_has_the_six_buttons_each_bound_in_ribbon_js(manifest: etree._Element) -> None:
    tab = manifest.find(".//v:ExtensionPoint[@xsi:type='PrimaryCommandSurface']/v:CustomTab", NS)
    strings = {
        e.get("id"): e.get("DefaultValue")
        for e in manifest.iterfind(".//bt:ShortStrings/bt:String", NS)
    }
    assert strings[tab.find("v:Label", NS).get("resid")] == "Improvement Plan"
    controls = tab.findall("v:Group/v:Control", NS)
    assert [strings[c.find("v:Label", NS).get("resid")] for c in controls] == [
        "Validate",
        "Go to finding",
        "Refresh dashboards",
        "Build report",
        "Request updates",
        "Collect updates",
    ]
    assert [strings[g.find("v:Label", NS).get("resid")] for g in tab.findall("v:Group", NS)][
        -1
    ] == "Owners' updates"
    ids = [
        e.get("id")
        for e in manifest.iter()
        if isinstance(e.tag, str) and _local(e) in ("CustomTab", "Group", "Control")
    ]
    assert len(ids) == len(set(ids))
    ribbon_js = (PROJECT_DIR / "static" / "js" / "ribbon.js").read_text(encoding="utf-8")
    for control in controls:
        action = control.find("v:Action", NS)
        assert action.get(XSI_TYPE) == "ExecuteFunction"
        assert (
            f'Office.actions.associate("{action.findtext("v:FunctionName", namespaces=NS)}"'
            in ribbon_js
        )
        assert [i.get("size") for i in control.findall("v:Icon/bt:Image", NS)] == ["16", "32", "80"]


def test_every_icon_the_manifest_names_is_served(manifest: etree._Element) -> None:
    client = TestClient(server_app.app, base_url="https://addin.council.example")
    images = {e.get("DefaultValue") for e in manifest.iterfind(".//bt:Images/bt:Image", NS)}
    images |= {
        manifest.find(f"o:{name}", NS).get("DefaultValue")
        for name in ("IconUrl", "HighResolutionIconUrl")
    }
    for url in sorted(images):
        response = client.get(url.removeprefix("https://addin.council.example"))
        assert response.status_code == 200 and response.content.startswith(b"\x89PNG"), url


def test_sign_in_adds_the_web_application_info_entra_id_needs(manifest: etree._Element) -> None:
    info = manifest.find("v:VersionOverrides/v:WebApplicationInfo", NS)
    if server_app.settings.auth_providers:  # never: the fixture restores the settings
        pytest.fail("settings leaked")
    if info is not None:
        uuid.UUID(info.findtext("v:Id", namespaces=NS))
        assert info.findtext("v:Resource", namespaces=NS).startswith("api://addin.council.example/")
        assert {s.text for s in info.findall("v:Scopes/v:Scope", NS)} == {"openid", "profile"}
