from warmlink.serve import run_service

if __name__ == "__main__":
    run_service("portal")
