# Configuration of the test server that scripts/browser/jupyter starts.
c = get_config()  # noqa: F821 (Jupyter defines it)

# The page exposes the application as window.jupyterapp, so the test can
# read cell models (outputs, execution counts) and not only the DOM.
c.LabApp.expose_app_in_browser = True
c.JupyterNotebookApp.expose_app_in_browser = True

# Nothing leaves the machine: no news, no update checks, no extension index.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"

# CI machines run as root.
c.ServerApp.allow_root = True
c.ServerApp.open_browser = False


def refuse_to_save(model, path, **kwargs):
    """The tests run and edit the course's own notebooks: never write them."""
    raise RuntimeError("this test server does not save (%s)" % path)


c.FileContentsManager.pre_save_hook = refuse_to_save
